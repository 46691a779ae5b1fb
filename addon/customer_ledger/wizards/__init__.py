from . import customer_ledger_credit_hold_wizard
from . import customer_ledger_reconcile_wizard
from . import customer_ledger_robot_wizard
from . import customer_ledger_tier_wizard
from . import customer_ledger_credit_override_wizard
from . import customer_ledger_statement_wizard
from . import customer_ledger_promise_wizard
from . import customer_ledger_credit_review_approve_wizard
