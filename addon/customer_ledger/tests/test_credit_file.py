# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tests.common import new_test_user

from .common import LedgerCreditCommon


@tagged("post_install", "-at_install")
class TestCreditFile(LedgerCreditCommon):
    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        cls.accountant = new_test_user(cls.env, login="credit_accountant",
                                       groups="account.group_account_manager,base.group_partner_manager",
                                       company_id=cls.company.id, company_ids=[(6, 0, cls.company.ids)])
        cls.customer = cls.make_customer("Credit Customer")
        cls.contact = cls.env["res.partner"].create({"name": "Buyer", "parent_id": cls.customer.id})

    def test_exposure_counts_open_receivables_and_drafts(self):
        paid = self.init_invoice("out_invoice", partner=self.contact, amounts=[300], taxes=[], post=True)
        self.init_invoice("out_invoice", partner=self.customer, amounts=[1000], taxes=[], post=True)
        self.init_invoice("out_invoice", partner=self.customer, amounts=[250], taxes=[])  # draft
        self.init_invoice("out_refund", partner=self.customer, amounts=[50], taxes=[])  # draft credit note
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=paid.ids).create(
            {})._create_payments()
        credit_file = self.Files.with_user(self.credit_manager)._for_partner(self.contact)
        self.assertEqual(credit_file.partner_id, self.customer, "one file for the commercial customer")
        credit_file.credit_limit = 2000
        self.assertEqual((credit_file.receivable, credit_file.draft_invoiced), (1000, 200))
        self.assertEqual((credit_file.exposure, credit_file.available), (1200, 800))
        self.assertEqual(credit_file.risk_level, "medium")  # 60 % used
        credit_file.credit_limit = 1000
        self.assertEqual((credit_file.available, credit_file.risk_level), (-200, "critical"))

    def test_the_limit_stays_in_step_with_odoo_credit_limit(self):
        self.customer.credit_limit = 700
        credit_file = self.Files.with_user(self.credit_manager)._for_partner(self.customer)
        self.assertEqual(credit_file.credit_limit, 700, "a new file starts from Odoo's limit")
        credit_file.credit_limit = 1500
        self.assertEqual(self.customer.with_company(self.company).credit_limit, 1500)
        self.customer.credit_limit = 900  # on the customer's Accounting tab, by a Credit Manager
        self.assertEqual(credit_file.credit_limit, 900)
        # the credit file owns the limit: an accountant cannot change it behind the Credit Manager's back
        with self.assertRaisesRegex(AccessError, "Only Credit Managers"):
            self.customer.with_user(self.accountant).write({"credit_limit": 5000})
        self.customer.with_user(self.accountant).write({"comment": "other fields stay free"})
        with self.assertRaises(ValidationError):
            credit_file.credit_limit = -1

    def test_hold_and_release_are_logged(self):
        credit_file = self.Files._for_partner(self.customer)
        wizard = self.env["customer.ledger.credit.hold.wizard"].with_user(self.credit_manager)
        wizard.create({"credit_file_id": credit_file.id, "action": "hold", "reason": "Cheque bounced"}).action_apply()
        self.assertTrue(credit_file.on_hold)
        self.assertEqual((credit_file.hold_reason, credit_file.risk_level), ("Cheque bounced", "critical"))
        with self.assertRaises(UserError):
            credit_file.with_user(self.credit_manager).action_hold("again")
        with self.assertRaises(ValidationError):
            credit_file.with_user(self.credit_manager).action_release("   ")
        wizard.create({"credit_file_id": credit_file.id, "action": "release", "reason": "Paid in cash"}).action_apply()
        self.assertFalse(credit_file.on_hold)
        log = credit_file.hold_log_ids
        self.assertEqual(log.mapped("action"), ["release", "hold"])
        self.assertEqual(log.mapped("reason"), ["Paid in cash", "Cheque bounced"])
        self.assertEqual(log.create_uid, self.credit_manager)
        with self.assertRaises(UserError):
            log[0].with_user(self.credit_manager).write({"reason": "changed"})
        with self.assertRaises(UserError):
            log[0].with_user(self.credit_manager).unlink()

    def test_access_rights(self):
        credit_file = self.Files._for_partner(self.customer)
        self.assertEqual(credit_file.with_user(self.ledger_user).exposure, 0)
        for action in (lambda f: f.write({"credit_limit": 10}), lambda f: f.action_hold("no right")):
            with self.assertRaises(AccessError):
                action(credit_file.with_user(self.ledger_user))
        with self.assertRaises(AccessError):
            self.Files.with_user(self.ledger_user)._for_partner(self.env["res.partner"].create({"name": "New"}))
        with self.assertRaises(AccessError):
            self.Files.with_user(self.robot).search([])

    def test_companies_apart(self):
        other = self.company_data_2["company"]
        self.env.user.company_ids |= other
        mine = self.Files._for_partner(self.customer)
        theirs = self.Files.with_company(other)._for_partner(self.customer, other)
        theirs.credit_limit = 5000
        theirs.action_hold("Their own reason")
        self.assertEqual((mine.credit_limit, mine.on_hold), (0, False), "one file per company")
        self.assertEqual(self.customer.with_company(other).credit_limit, 5000)
        self.assertEqual(self.customer.with_company(self.company).credit_limit, 0)
        manager = self.Files.with_user(self.credit_manager)  # of the first company only
        self.assertEqual(manager.search([("partner_id", "=", self.customer.id)]), mine)
        self.assertFalse(self.env["customer.ledger.credit.hold.log"].with_user(self.credit_manager).search(
            [("credit_file_id", "=", theirs.id)]))
        self.assertEqual(self.env["customer.ledger.credit.report"].with_user(self.credit_manager).search(
            [("partner_id", "=", self.customer.id)]).credit_file_id, mine)
        with self.assertRaises(AccessError):
            theirs.with_user(self.credit_manager).action_release("not my company")
        self.assertEqual(self.customer.with_user(self.credit_manager).ledger_credit_file_id, mine)

    def test_a_new_file_takes_the_tier_default_limit(self):
        tier = self.env["customer.ledger.tier"].create({
            "code": "T9", "name": "Trusted", "automatic": False, "credit_limit": 3000, "company_id": self.company.id})
        for customer in (self.customer, self.make_customer("Known Limit", credit_limit=800)):
            self.env["customer.ledger.profile"].create({
                "partner_id": customer.id, "company_id": self.company.id, "tier_id": tier.id})
        invoiced = self.make_customer("Invoiced, No Profile")
        for customer in (self.customer, invoiced):
            self.invoice(customer, "2026-11-01", "2026-12-01", 10)
        self.Files.sudo()._cron_ledger_credit(commit=False)  # opens files for the invoiced customers
        self.assertEqual(self.Files.search([("partner_id", "=", self.customer.id)]).credit_limit, 3000,
                         "no limit in Odoo: the tier's")
        self.assertEqual(self.Files.search([("partner_id", "=", invoiced.id)]).credit_limit, 0)
        known = self.Files._for_partner(self.env["res.partner"].search([("name", "=", "Known Limit")]))
        self.assertEqual(known.credit_limit, 800, "Odoo's limit comes first")
