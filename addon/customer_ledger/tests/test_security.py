# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import LedgerSyncCommon


@tagged("post_install", "-at_install")
class TestLedgerSyncSecurity(LedgerSyncCommon):
    """The robot can do what syncd needs and nothing more; other users cannot use the API."""

    def test_robot_uses_the_api(self):
        result = self.push([self.line("sec-1", "1000.00", self.invoice.name)], user=self.robot)
        line_id = result["lines"]["sec-1"]["id"]
        outcome = self.Sync.with_user(self.robot).reconcile_statement_lines("1.0", [line_id])
        self.assertEqual(outcome[str(line_id)]["state"], "reconciled")

    def test_robot_has_no_accounting_rights(self):
        robot_env = self.env(user=self.robot)
        with self.assertRaises(AccessError):
            robot_env["account.bank.statement.line"].create(
                {"journal_id": self.journal.id, "date": "2026-11-20", "amount": 1.0, "payment_ref": "x"}
            )
        with self.assertRaises(AccessError):
            robot_env["account.bank.statement.line"].search([])
        with self.assertRaises(AccessError):
            robot_env["account.move"].search([])
        with self.assertRaises(AccessError):
            robot_env["account.move.line"].search([])
        with self.assertRaises(AccessError):
            robot_env["account.journal"].browse(self.journal.id).write({"name": "hacked"})
        with self.assertRaises(AccessError):
            robot_env["account.journal"].create({"name": "x", "code": "XX", "type": "bank"})
        with self.assertRaises(AccessError):
            robot_env["res.partner.bank"].create({"acc_number": "X1", "partner_id": self.robot.partner_id.id})
        with self.assertRaises(AccessError):
            robot_env["customer.ledger.robot.wizard"].create({"login": "other"})

    def test_other_users_cannot_use_the_api(self):
        for user in (self.internal_user, self.ledger_user, self.credit_manager):
            with self.subTest(user.login), self.assertRaises(AccessError):
                self.push([self.line(f"deny-{user.login}", "1.00")], user=user)
            with self.assertRaises(AccessError):
                self.Sync.with_user(user).api_info()
        self.assertFalse(self.StatementLine.search([("ledger_import_key", "like", "deny-")]))

    def test_accountant_may_use_the_api(self):
        result = self.push([self.line("acct-1", "1.00")], user=self.accountant)
        self.assertTrue(result["lines"]["acct-1"]["created"])

    def test_robot_is_confined_to_its_companies(self):
        other_journal = self.company_data_2["default_journal_bank"]
        other_journal.bank_acc_number = "FR7630006000011234567890189"
        with self.assertRaisesRegex(UserError, "No bank journal"):
            self.push([self.line("co2", "1.00")], journal={"account_number": "FR7630006000011234567890189"},
                      user=self.robot)
        # a line of the other company, pushed by an administrator there
        admin_push = self.Sync.with_company(self.company_data_2["company"]).push_statement_lines
        result = admin_push("1.0", {"account_number": other_journal.bank_acc_number}, [self.line("co2-admin", "1.00")])
        line_id = result["lines"]["co2-admin"]["id"]
        with self.assertRaises(AccessError):
            self.Sync.with_user(self.robot).reconcile_statement_lines("1.0", [line_id])
        self.assertFalse(self.lines_with_key("co2"))
