from . import customer_ledger_robot_wizard
