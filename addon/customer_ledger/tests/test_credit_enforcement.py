# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import LedgerCreditCommon


@tagged("post_install", "-at_install")
class TestCreditEnforcement(LedgerCreditCommon):
    """Posting customer invoices over the limit or on hold, in warn and block mode, and overrides."""

    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        cls.customer = cls.make_customer("Limited Customer")
        cls.credit_file = cls.Files._for_partner(cls.customer)
        cls.credit_file.credit_limit = 1000
        cls.invoice(cls.customer, "2026-11-01", "2026-12-01", 800)

    def draft(self, amount, partner=None, company=None):
        return self.invoice(partner or self.customer, "2026-11-20", "2026-12-20", amount, post=False,
                            company=company)

    def test_block_refuses_and_says_by_how_much_and_who_approves(self):
        self.company.ledger_credit_enforcement = "block"
        draft = self.draft(300)
        self.assertTrue(draft.ledger_credit_blocked)
        with self.assertRaises(UserError) as refused:
            draft.with_user(self.invoicing_user).action_post()
        message = str(refused.exception)
        for expected in ("Limited Customer", "1,100.00", "100.00 over", "1,000.00", "Carla Credit"):
            self.assertIn(expected, message)
        self.assertEqual(draft.state, "draft")
        self.assertEqual(draft.ledger_credit_problem, message)
        # within the limit, and credit notes, post freely
        self.draft(200).with_user(self.invoicing_user).action_post()
        self.invoice(self.customer, "2026-11-20", "2026-11-20", 50, move_type="out_refund",
                     user=self.invoicing_user)
        self.assertFalse(self.credit_file.hold_log_ids)

    def test_block_override_by_a_credit_manager_is_logged(self):
        self.company.ledger_credit_enforcement = "block"
        draft = self.draft(300)
        with self.assertRaises(AccessError):
            draft.with_user(self.invoicing_user).with_context(ledger_credit_override="mine").action_post()
        with self.assertRaises(AccessError):
            draft.with_user(self.invoicing_user).action_ledger_credit_override()
        action = draft.with_user(self.credit_manager).action_ledger_credit_override()
        wizard = self.env[action["res_model"]].with_user(self.credit_manager).with_context(**action["context"]).create(
            {"reason": "Paid by wire tomorrow, confirmed by phone"})
        self.assertIn("100.00 over", wizard.problems)
        wizard.action_post()
        self.assertEqual(draft.state, "posted")
        log = self.credit_file.hold_log_ids
        self.assertEqual((log.action, log.move_id, log.create_uid), ("override", draft, self.credit_manager))
        self.assertEqual(log.reason, "Paid by wire tomorrow, confirmed by phone")
        self.assertIn("overridden by Carla Credit", self.credit_file.message_ids[0].body)
        self.assertIn("overridden by Carla Credit", draft.message_ids[0].body)

    def test_warn_posts_and_keeps_the_warning(self):
        self.company.ledger_credit_enforcement = "warn"
        draft = self.draft(300)
        self.assertFalse(draft.ledger_credit_blocked)
        self.assertIn("100.00 over", draft.ledger_credit_problem)
        draft.with_user(self.invoicing_user).action_post()
        self.assertEqual(draft.state, "posted")
        log = self.credit_file.hold_log_ids
        self.assertEqual((log.action, log.move_id, log.create_uid), ("warning", draft, self.invoicing_user))
        self.assertIn("100.00 over", log.reason)
        self.assertIn("warning only", draft.message_ids[0].body)

    def test_warn_mode_override_keeps_the_reason(self):
        self.company.ledger_credit_enforcement = "warn"
        draft = self.draft(300)
        wizard = self.env["customer.ledger.credit.override.wizard"].with_user(self.credit_manager).create(
            {"move_ids": [(6, 0, draft.ids)], "reason": "Seasonal peak agreed with sales"})
        wizard.action_post()
        log = self.credit_file.hold_log_ids
        self.assertEqual((log.action, log.reason, log.create_uid),
                         ("override", "Seasonal peak agreed with sales", self.credit_manager))

    def test_hold_refuses_in_block_mode_and_warns_in_warn_mode(self):
        self.credit_file.action_hold("Cheque bounced")
        self.company.ledger_credit_enforcement = "block"
        draft = self.draft(10)
        with self.assertRaisesRegex(UserError, r"on credit hold \(Cheque bounced\)"):
            draft.with_user(self.invoicing_user).action_post()
        self.company.ledger_credit_enforcement = "warn"
        draft.with_user(self.invoicing_user).action_post()
        self.assertEqual(self.credit_file.hold_log_ids[0].action, "warning")
        self.assertIn("on credit hold", self.credit_file.hold_log_ids[0].reason)

    def test_odoo_limit_without_a_file_and_companies_apart(self):
        self.company.ledger_credit_enforcement = "block"
        newcomer = self.make_customer("Newcomer", credit_limit=100)
        with self.assertRaisesRegex(UserError, "50.00 over"):
            self.draft(150, partner=newcomer).action_post()
        # the first company's hold and limit say nothing of the second company's invoices
        self.credit_file.action_hold("Cheque bounced")
        other = self.company_data_2["company"]
        other.ledger_credit_enforcement = "block"
        self.env.user.company_ids |= other
        invoice = self.invoice(self.customer, "2026-11-20", "2026-12-20", 5000, company=other)
        self.assertEqual(invoice.state, "posted")
        self.assertFalse(self.Files.search([("partner_id", "=", self.customer.id), ("company_id", "=", other.id)]))

    def test_report_and_partner_tab_agree_with_the_file(self):
        self.draft(300)
        report = self.env["customer.ledger.credit.report"].search([("credit_file_id", "=", self.credit_file.id)])
        self.assertEqual((report.exposure, report.available, report.risk_level), (1100, -100, "critical"))
        self.assertEqual((self.credit_file.exposure, self.credit_file.risk_level), (1100, "critical"))
        self.assertIn(self.credit_file, self.Files.search([("risk_level", "=", "critical")]))
        self.assertNotIn(self.credit_file, self.Files.search([("risk_level", "in", ("low", "medium"))]))
        partner = self.customer.with_user(self.ledger_user)
        self.assertEqual((partner.ledger_exposure, partner.ledger_available, partner.ledger_risk_level),
                         (1100, -100, "critical"))
        groups = self.env["customer.ledger.credit.report"].with_user(self.ledger_user).read_group(
            [("credit_file_id", "=", self.credit_file.id)], ["exposure:sum"], ["risk_level"])
        self.assertEqual([(g["risk_level"], g["exposure"]) for g in groups], [("critical", 1100)])
        with self.assertRaises(AccessError):
            self.env["customer.ledger.credit.report"].with_user(self.robot).search([])
        with self.assertRaises(AccessError):
            self.env["customer.ledger.credit.override.wizard"].with_user(self.ledger_user).create({
                "move_ids": [(6, 0, self.draft(1).ids)], "reason": "no right"})
