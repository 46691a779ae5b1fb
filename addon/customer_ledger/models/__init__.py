from . import customer_ledger_company_guard  # before the wizards that inherit it
from . import account_bank_statement
from . import account_bank_statement_line
from . import account_move
from . import customer_ledger_counterparty
from . import customer_ledger_state_guard  # before the models that inherit it
from . import customer_ledger_amount_guard  # likewise
from . import customer_ledger_credit_file
from . import customer_ledger_credit_review
from . import customer_ledger_credit_score
from . import customer_ledger_profile
from . import customer_ledger_sync
from . import customer_ledger_tier
from . import res_company
from . import res_config_settings
from . import res_partner
from . import customer_ledger_statement
from . import customer_ledger_statement_schedule
from . import customer_ledger_credit_report
from . import customer_ledger_aging
from . import customer_ledger_aging_report
from . import customer_ledger_reminder_policy
from . import customer_ledger_reminder
