# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tests.common import TransactionCase, new_test_user


@tagged("post_install", "-at_install")
class TestLedgerRobotWizard(TransactionCase):
    def test_creates_a_robot_with_a_working_key(self):
        wizard = self.env["customer.ledger.robot.wizard"].create({"login": "syncd-test"})
        wizard.action_generate()
        robot = wizard.user_id
        self.assertEqual(robot.login, "syncd-test")
        expected = self.env.ref("base.group_user") | self.env.ref("customer_ledger.group_ledger_sync_robot")
        self.assertFalse(robot.groups_id - expected - expected.trans_implied_ids)
        self.assertTrue(robot.has_group("customer_ledger.group_ledger_sync_robot"))
        self.assertFalse(robot.has_group("account.group_account_invoice"))
        self.assertFalse(robot.has_group("account.group_account_user"))
        apikeys = self.env["res.users.apikeys"]
        self.assertEqual(apikeys._check_credentials(scope="rpc", key=wizard.api_key), robot.id)

        # run again: the same user, a new key, the old one still valid until revoked
        second = self.env["customer.ledger.robot.wizard"].create({"login": "syncd-test"})
        second.action_generate()
        self.assertEqual(second.user_id, robot)
        self.assertNotEqual(second.api_key, wizard.api_key)
        self.assertEqual(apikeys._check_credentials(scope="rpc", key=second.api_key), robot.id)

    def test_refuses_to_turn_a_real_user_into_a_robot(self):
        new_test_user(self.env, login="real-person", groups="base.group_user,account.group_account_manager")
        wizard = self.env["customer.ledger.robot.wizard"].create({"login": "real-person"})
        with self.assertRaisesRegex(UserError, "other groups"):
            wizard.action_generate()

    def test_only_administrators(self):
        user = new_test_user(self.env, login="not-admin", groups="base.group_user,account.group_account_manager")
        with self.assertRaises(AccessError):
            self.env["customer.ledger.robot.wizard"].with_user(user).create({"login": "x"})
        wizard = self.env["customer.ledger.robot.wizard"].create({"login": "x"})
        with self.assertRaises(AccessError):
            wizard.with_user(user)._generate_robot_key()
