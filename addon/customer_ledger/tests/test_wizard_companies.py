# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Wizards and other transient models refuse the records of companies the user does not work in,
at create, at write, through their defaults and at read (issue 15)."""
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tests.common import new_test_user

from .common import LedgerCreditCommon

REFUSED = UserError  # AccessError and ValidationError are UserErrors
LEDGER_GROUPS = ("customer_ledger.group_reconciliation_accountant,customer_ledger.group_credit_manager,"
                 "account.group_account_invoice")


@tagged("post_install", "-at_install")
class TestWizardCompanies(LedgerCreditCommon):
    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        both = cls.company | cls.company_2
        cls.user_1 = new_test_user(cls.env, login="wc_user_1", groups=LEDGER_GROUPS,
                                   company_id=cls.company.id, company_ids=[(6, 0, cls.company.ids)])
        cls.user_both = new_test_user(cls.env, login="wc_user_both", groups=LEDGER_GROUPS,
                                      company_id=cls.company.id, company_ids=[(6, 0, both.ids)])
        cls.admin_1 = new_test_user(cls.env, login="wc_admin_1", groups="base.group_system,base.group_partner_manager",
                                    company_id=cls.company.id, company_ids=[(6, 0, cls.company.ids)])
        cls.admin_both = new_test_user(cls.env, login="wc_admin_both", groups="base.group_system",
                                       company_id=cls.company.id, company_ids=[(6, 0, both.ids)])
        env_2 = cls.env(context=dict(cls.env.context, allowed_company_ids=cls.company_2.ids))
        cls.partner_1 = cls.make_customer("Customer One", company_id=cls.company.id)
        cls.partner_2 = cls.make_customer("Secret Customer Two", company_id=cls.company_2.id)
        cls.line_1 = cls.env["account.bank.statement.line"].create({
            "journal_id": cls.company_data["default_journal_bank"].id, "date": "2026-11-20",
            "amount": 100.0, "payment_ref": "PAYMENT ONE"})
        cls.line_2 = env_2["account.bank.statement.line"].create({
            "journal_id": cls.company_data_2["default_journal_bank"].id, "date": "2026-11-20",
            "amount": 777.0, "payment_ref": "SECRET PAYMENT TWO"})
        cls.invoice_1 = cls.invoice(cls.partner_1, "2026-11-01", "2026-11-30", 100.0)
        cls.invoice_2 = cls.invoice(cls.partner_2, "2026-11-01", "2026-11-30", 777.0, company=cls.company_2)
        cls.draft_2 = cls.invoice(cls.partner_2, "2026-11-01", "2026-11-30", 50.0, company=cls.company_2, post=False)
        cls.item_1 = cls.invoice_1.line_ids.filtered(lambda item: item.account_id.account_type == "asset_receivable")
        cls.item_2 = cls.invoice_2.line_ids.filtered(lambda item: item.account_id.account_type == "asset_receivable")
        Tier = cls.env["customer.ledger.tier"]
        cls.tier_1 = Tier.create({"code": "W1", "name": "W1", "automatic": False, "company_id": cls.company.id})
        cls.tier_2 = Tier.create({"code": "W2", "name": "W2", "automatic": False, "company_id": cls.company_2.id})
        cls.profile_1 = cls.partner_1._ledger_profile(cls.company)
        cls.profile_2 = cls.partner_2._ledger_profile(cls.company_2)
        cls.file_1 = cls.Files.sudo()._for_partner(cls.partner_1, cls.company)
        cls.file_2 = cls.Files.sudo()._for_partner(cls.partner_2, cls.company_2)
        cls.account_2 = cls.company_data_2["default_account_expense"]

    def as_user(self, model, user=None, companies=None):
        """``model`` for ``user`` (default: the company 1 user), working in ``companies`` (default: all theirs)."""
        env = self.env[model].with_user(user or self.user_1)
        if companies:
            env = env.with_context(allowed_company_ids=companies.ids)
        return env

    def assertRefused(self, model, values, user=None):
        before = self.env[model].search_count([])
        with self.assertRaises(REFUSED):
            self.as_user(model, user).create(values)
        self.assertEqual(self.env[model].search_count([]), before, "nothing created")

    # ------------------------------------------------------------------
    # Reconciliation wizard
    # ------------------------------------------------------------------

    def test_reconcile_wizard_create(self):
        Wizards = "customer.ledger.reconcile.wizard"
        self.assertRefused(Wizards, {"statement_line_id": self.line_2.id})
        wizard = self.as_user(Wizards).create({"statement_line_id": self.line_1.id})
        self.assertEqual((wizard.payment_ref, wizard.amount, wizard.company_id), ("PAYMENT ONE", 100.0, self.company))
        with self.assertRaises(REFUSED):
            wizard.write({"statement_line_id": self.line_2.id})
        for values in ({"partner_id": self.partner_2.id}, {"writeoff_account_id": self.account_2.id}):
            with self.assertRaises(REFUSED):
                wizard.write(values)

    def test_reconcile_wizard_read_and_both_companies(self):
        Wizards = "customer.ledger.reconcile.wizard"
        wizard = self.as_user(Wizards, self.user_both).create({"statement_line_id": self.line_2.id})
        self.assertEqual(wizard.payment_ref, "SECRET PAYMENT TWO", "company 2 is one of theirs")
        wizard._load_items(preselect=self.item_2)
        self.assertEqual(wizard.line_ids.move_line_id, self.item_2)
        only_1 = self.as_user(Wizards, self.user_both, self.company).browse(wizard.id)
        with self.assertRaises(AccessError):
            only_1.read(["payment_ref", "amount", "company_id"])
        with self.assertRaises(AccessError):
            self.as_user(Wizards).browse(wizard.id).read(["payment_ref"])
        Lines = self.as_user("customer.ledger.reconcile.wizard.line", self.user_both, self.company)
        self.assertFalse(Lines.search([("wizard_id", "=", wizard.id)]))
        with self.assertRaises(AccessError):
            Lines.browse(wizard.line_ids.ids).read(["move_id", "partner_id", "residual"])

    def test_reconcile_wizard_lines(self):
        Wizards = self.as_user("customer.ledger.reconcile.wizard")
        wizard = Wizards.create({"statement_line_id": self.line_1.id})
        self.assertRefused("customer.ledger.reconcile.wizard.line",
                           {"wizard_id": wizard.id, "move_line_id": self.item_2.id, "residual": 1.0})
        with self.assertRaises(REFUSED):
            wizard.write({"line_ids": [(0, 0, {"move_line_id": self.item_2.id, "residual": 1.0})]})
        wizard.write({"line_ids": [(0, 0, {"move_line_id": self.item_1.id, "residual": 100.0})]})
        self.assertEqual(wizard.line_ids.partner_id, self.partner_1)
        with self.assertRaises(REFUSED):
            wizard.line_ids.write({"move_line_id": self.item_2.id})
        other = self.as_user("customer.ledger.reconcile.wizard", self.user_both).create(
            {"statement_line_id": self.line_2.id})
        self.assertRefused("customer.ledger.reconcile.wizard.line",
                           {"wizard_id": other.id, "move_line_id": self.item_1.id, "residual": 1.0})

    def test_reconcile_wizard_defaults(self):
        Wizards = self.as_user("customer.ledger.reconcile.wizard").with_context(
            default_statement_line_id=self.line_2.id)
        with self.assertRaises(AccessError):
            Wizards.default_get(["statement_line_id"])

    # ------------------------------------------------------------------
    # Tiers
    # ------------------------------------------------------------------

    def test_tier_recompute_wizard(self):
        Wizards = "customer.ledger.tier.recompute.wizard"
        self.assertRefused(Wizards, {"company_id": self.company_2.id})
        wizard = self.as_user(Wizards).create({})
        with self.assertRaises(REFUSED):
            wizard.write({"company_id": self.company_2.id})
        self.assertRefused("customer.ledger.tier.recompute.line",
                           {"wizard_id": wizard.id, "old_tier_id": self.tier_2.id, "count": 1})
        theirs = self.as_user(Wizards, self.user_both).create({"company_id": self.company_2.id})
        theirs.action_preview()
        self.assertEqual(theirs.state, "preview")
        with self.assertRaises(AccessError):
            self.as_user(Wizards, self.user_both, self.company).browse(theirs.id).read(["customer_count"])

    def test_tier_change_wizard(self):
        Wizards = "customer.ledger.tier.change.wizard"
        self.assertRefused(Wizards, {"profile_id": self.profile_2.id, "tier_id": self.tier_2.id, "reason": "x"})
        self.assertRefused(Wizards, {"profile_id": self.profile_1.id, "tier_id": self.tier_2.id, "reason": "x"})
        wizard = self.as_user(Wizards).create({"profile_id": self.profile_1.id, "tier_id": self.tier_1.id,
                                               "reason": "x"})
        with self.assertRaises(REFUSED):
            wizard.write({"profile_id": self.profile_2.id})
        wizard.action_apply()
        self.assertEqual(self.profile_1.tier_id, self.tier_1)
        theirs = self.as_user(Wizards, self.user_both).create({"profile_id": self.profile_2.id,
                                                               "tier_id": self.tier_2.id, "reason": "x"})
        with self.assertRaises(AccessError):
            self.as_user(Wizards, self.user_both, self.company).browse(theirs.id).read(["company_id"])
        with self.assertRaises(AccessError):
            self.as_user(Wizards).with_context(default_profile_id=self.profile_2.id).default_get(["profile_id"])

    # ------------------------------------------------------------------
    # Statements, credit, promises
    # ------------------------------------------------------------------

    def test_statement_wizard(self):
        Wizards = "customer.ledger.statement.wizard"
        self.assertRefused(Wizards, {"partner_ids": [(6, 0, self.partner_2.ids)]})
        self.assertRefused(Wizards, {"company_id": self.company_2.id})
        opened = self.as_user(Wizards).with_context(active_model="res.partner", active_ids=self.partner_2.ids)
        with self.assertRaises(AccessError):
            opened.default_get(["partner_ids", "company_id"])
        opened = self.as_user(Wizards).with_context(active_model="res.partner", active_ids=self.partner_1.ids)
        wizard = opened.create({})
        self.assertEqual(wizard.partner_ids, self.partner_1)
        with self.assertRaises(REFUSED):
            wizard.write({"partner_ids": [(4, self.partner_2.id)]})
        both = self.as_user(Wizards, self.user_both, self.company_2).create(
            {"partner_ids": [(6, 0, self.partner_2.ids)]})
        self.assertEqual(both.company_id, self.company_2)

    def test_credit_override_wizard(self):
        Wizards = "customer.ledger.credit.override.wizard"
        self.assertRefused(Wizards, {"move_ids": [(6, 0, self.draft_2.ids)], "reason": "x"})
        with self.assertRaises(AccessError):
            self.as_user(Wizards).with_context(default_move_ids=self.draft_2.ids).default_get(["move_ids"])
        theirs = self.as_user(Wizards, self.user_both).create({"move_ids": [(6, 0, self.draft_2.ids)], "reason": "x"})
        self.assertEqual(theirs.move_ids, self.draft_2)
        with self.assertRaises(AccessError):
            self.as_user(Wizards, self.user_both, self.company).browse(theirs.id).read(["problems"])

    def test_promise_wizard(self):
        Wizards = "customer.ledger.promise.wizard"
        self.assertRefused(Wizards, {"partner_id": self.partner_2.id, "promise_date": "2030-01-01"})
        self.assertRefused(Wizards, {"partner_id": self.partner_1.id, "company_id": self.company_2.id,
                                     "promise_date": "2030-01-01"})
        with self.assertRaises(AccessError):
            self.as_user(Wizards).with_context(default_company_id=self.company_2.id).default_get(["company_id"])
        wizard = self.as_user(Wizards).create({"partner_id": self.partner_1.id, "promise_date": "2030-01-01"})
        with self.assertRaises(REFUSED):
            wizard.write({"company_id": self.company_2.id})
        theirs = self.as_user(Wizards, self.user_both).create(
            {"partner_id": self.partner_2.id, "company_id": self.company_2.id, "promise_date": "2030-01-01"})
        with self.assertRaises(AccessError):
            self.as_user(Wizards, self.user_both, self.company).browse(theirs.id).read(["currency_id"])

    def test_credit_hold_wizard(self):
        Wizards = "customer.ledger.credit.hold.wizard"
        self.assertRefused(Wizards, {"credit_file_id": self.file_2.id, "action": "hold", "reason": "x"})
        wizard = self.as_user(Wizards).create({"credit_file_id": self.file_1.id, "action": "hold", "reason": "x"})
        with self.assertRaises(REFUSED):
            wizard.write({"credit_file_id": self.file_2.id})
        theirs = self.as_user(Wizards, self.user_both).create(
            {"credit_file_id": self.file_2.id, "action": "hold", "reason": "x"})
        theirs.action_apply()
        self.assertTrue(self.file_2.on_hold)
        with self.assertRaises(AccessError):
            self.as_user(Wizards, self.user_both, self.company).browse(theirs.id).read(["credit_file_id"])

    def test_credit_review_approve_wizard(self):
        Wizards = "customer.ledger.credit.review.approve.wizard"
        Reviews = self.env["customer.ledger.credit.review"]
        review_1 = Reviews.create({"credit_file_id": self.file_1.id, "requested_limit": 500.0})
        review_2 = Reviews.create({"credit_file_id": self.file_2.id, "requested_limit": 900.0})
        self.assertRefused(Wizards, {"review_id": review_2.id, "approved_limit": 800.0})
        wizard = self.as_user(Wizards).create({"review_id": review_1.id, "approved_limit": 400.0})
        with self.assertRaises(REFUSED):
            wizard.write({"review_id": review_2.id})
        theirs = self.as_user(Wizards, self.user_both).create({"review_id": review_2.id, "approved_limit": 800.0})
        with self.assertRaises(AccessError):
            self.as_user(Wizards, self.user_both, self.company).browse(theirs.id).read(["requested_limit"])

    # ------------------------------------------------------------------
    # Robot, aging report, settings
    # ------------------------------------------------------------------

    def test_robot_wizard(self):
        Wizards = "customer.ledger.robot.wizard"
        self.assertRefused(Wizards, {"login": "wc_robot", "company_ids": [(6, 0, self.company_2.ids)]}, self.admin_1)
        wizard = self.as_user(Wizards, self.admin_1).create({"login": "wc_robot"})
        self.assertEqual(wizard.company_ids, self.company)
        with self.assertRaises(REFUSED):
            wizard.write({"company_ids": [(4, self.company_2.id)]})
        both = self.company | self.company_2
        theirs = self.as_user(Wizards, self.admin_both).create({"login": "wc_robot", "company_ids": [(6, 0, both.ids)]})
        theirs.action_generate()
        self.assertEqual(theirs.user_id.company_ids, both)
        with self.assertRaises(AccessError):
            self.as_user(Wizards, self.admin_both, self.company).browse(theirs.id).read(["company_ids"])

    def test_aging_report(self):
        Reports = "customer.ledger.aging.report"
        self.assertRefused(Reports, {"company_id": self.company_2.id})
        self.assertRefused(Reports, {"tier_ids": [(6, 0, self.tier_2.ids)]})
        report = self.as_user(Reports).create({})
        self.assertRefused("customer.ledger.aging.report.line", {
            "report_id": report.id, "company_id": self.company.id, "partner_id": self.partner_2.id,
            "bucket_id": self.as_user("customer.ledger.aging.report.bucket").create(
                {"report_id": report.id, "sequence": 0, "name": "x"}).id})
        theirs = self.as_user(Reports, self.user_both, self.company_2).create({"company_id": self.company_2.id})
        theirs.action_view()
        self.assertEqual(theirs.line_ids.partner_id, self.partner_2)
        only_1 = self.as_user("customer.ledger.aging.report.bucket", self.user_both, self.company)
        self.assertFalse(only_1.search([("report_id", "=", theirs.id)]))

    def test_settings(self):
        Settings = "res.config.settings"
        with self.assertRaises(REFUSED):
            self.as_user(Settings, self.admin_1).create({"company_id": self.company_2.id})
        settings = self.as_user(Settings, self.admin_1).create({})
        self.assertEqual(settings.company_id, self.company)
        with self.assertRaises(REFUSED):
            settings.write({"company_id": self.company_2.id})
        with self.assertRaises(REFUSED):
            settings.write({"ledger_writeoff_account_id": self.account_2.id})
        with self.assertRaises(REFUSED):
            self.as_user(Settings, self.admin_1).create({"ledger_statement_user_id": self.user_both.copy(
                {"login": "wc_other", "company_id": self.company_2.id,
                 "company_ids": [(6, 0, self.company_2.ids)]}).id})
        theirs = self.as_user(Settings, self.admin_both, self.company_2).create({"ledger_match_threshold": 0.9})
        theirs.execute()
        self.assertEqual(self.company_2.ledger_match_threshold, 0.9)
