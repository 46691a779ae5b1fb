from . import test_credit_file
from . import test_matching
from . import test_reconcile_engine
from . import test_robot_wizard
from . import test_security
from . import test_sync_api
from . import test_tiers
from . import test_ui
