from . import account_bank_statement_line
from . import customer_ledger_sync
