from . import account_bank_statement_line, customer_ledger_sync
