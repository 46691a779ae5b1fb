# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tests.common import TransactionCase, new_test_user
from odoo.tools import SQL, sql


@tagged("post_install", "-at_install")
class TestLedgerRobotWizard(TransactionCase):
    def generate(self, login):
        """The robot and the key, as the admin sees them: the key is only in the answer."""
        wizard = self.env["customer.ledger.robot.wizard"].create({"login": login})
        action = wizard.action_generate()
        self.assertEqual(action["res_model"], "customer.ledger.robot.key.show")
        shown = self.env[action["res_model"]].with_context(**action["context"]).new({})
        self.assertEqual(shown.login, login)
        return wizard, shown.key

    def test_creates_a_robot_with_a_working_key(self):
        wizard, key = self.generate("syncd-test")
        robot = wizard.user_id
        self.assertEqual(robot.login, "syncd-test")
        # the robot group and nothing else: no user type, so not an employee
        self.assertEqual(robot.groups_id, self.env.ref("customer_ledger.group_ledger_sync_robot"))
        self.assertFalse(robot.has_group("base.group_user"))
        self.assertTrue(robot.share)
        apikeys = self.env["res.users.apikeys"]
        self.assertEqual(apikeys._check_credentials(scope="rpc", key=key), robot.id)

        # run again: the same user, a new key, the old one still valid until revoked
        second, second_key = self.generate("syncd-test")
        self.assertEqual(second.user_id, robot)
        self.assertNotEqual(second_key, key)
        self.assertEqual(apikeys._check_credentials(scope="rpc", key=second_key), robot.id)

    def test_keeps_no_key(self):
        wizard, key = self.generate("syncd-nokey")
        self.assertNotIn("api_key", wizard._fields)
        self.env.flush_all()
        self.env.cr.execute(SQL("SELECT * FROM %s", SQL.identifier(wizard._table)))
        rows = self.env.cr.fetchall()
        self.assertTrue(rows)
        self.assertFalse([row for row in rows if any(key in str(value) for value in row)])

    def test_an_upgrade_drops_the_keys_kept_before(self):
        Wizard = self.env["customer.ledger.robot.wizard"]
        self.env.cr.execute(SQL("ALTER TABLE %s ADD COLUMN api_key varchar", SQL.identifier(Wizard._table)))
        Wizard.init()  # what an upgrade runs
        self.assertFalse(sql.column_exists(self.env.cr, Wizard._table, "api_key"))

    def test_rekeys_a_robot_of_the_old_kind(self):
        """Robots made before were employees too: re-keying one makes it the robot only."""
        old = new_test_user(self.env, login="syncd-old",
                            groups="base.group_user,customer_ledger.group_ledger_sync_robot")
        wizard, key = self.generate("syncd-old")
        self.assertEqual(wizard.user_id, old)
        self.assertEqual(old.groups_id, self.env.ref("customer_ledger.group_ledger_sync_robot"))
        self.assertEqual(self.env["res.users.apikeys"]._check_credentials(scope="rpc", key=key), old.id)

    def test_refuses_to_turn_a_real_user_into_a_robot(self):
        new_test_user(self.env, login="real-person", groups="base.group_user,account.group_account_manager")
        new_test_user(self.env, login="plain-employee", groups="base.group_user")
        for login in ("real-person", "plain-employee"):
            wizard = self.env["customer.ledger.robot.wizard"].create({"login": login})
            with self.subTest(login), self.assertRaisesRegex(UserError, "other groups"):
                wizard.action_generate()

    def test_only_administrators(self):
        user = new_test_user(self.env, login="not-admin", groups="base.group_user,account.group_account_manager")
        with self.assertRaises(AccessError):
            self.env["customer.ledger.robot.wizard"].with_user(user).create({"login": "x"})
        wizard = self.env["customer.ledger.robot.wizard"].create({"login": "x"})
        with self.assertRaises(AccessError):
            wizard.with_user(user)._generate_robot_key()
