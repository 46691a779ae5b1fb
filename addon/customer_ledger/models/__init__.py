from . import account_bank_statement_line
from . import account_move
from . import customer_ledger_counterparty
from . import customer_ledger_sync
from . import res_company
from . import res_config_settings
