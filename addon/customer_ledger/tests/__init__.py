from . import test_matching, test_robot_wizard, test_security, test_sync_api
