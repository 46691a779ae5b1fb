# res.company first: the exposure report's view, rebuilt when this module installs, reads its new column.
from . import res_company
from . import res_config_settings
from . import customer_ledger_credit_file
from . import customer_ledger_credit_report
from . import sale_order
