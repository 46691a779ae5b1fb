# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re
from datetime import date

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tests.common import new_test_user

from .common import LedgerCreditCommon


@tagged("post_install", "-at_install")
class TestCreditFourEyes(LedgerCreditCommon):
    """Four eyes that the submitter cannot steer: the request frozen once submitted, the approved
    limit the decider's, and no other way to a credit limit while four eyes are on."""

    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        common = {"company_id": cls.company.id, "company_ids": [(6, 0, cls.company.ids)]}
        cls.approver = new_test_user(cls.env, login="four_eyes_approver", name="Otto Approver",
                                     groups="customer_ledger.group_credit_manager", **common)
        cls.contact_maker = new_test_user(cls.env, login="four_eyes_contacts", groups=(
            "customer_ledger.group_credit_manager,base.group_partner_manager,account.group_account_invoice"), **common)
        cls.customer = cls.env["res.partner"].create({"name": "Four Eyes Customer", "is_company": True})
        cls.Reviews = cls.env["customer.ledger.credit.review"]
        cls.credit_file = cls.Files._for_partner(cls.customer, cls.company)
        cls.credit_file.credit_limit = 1000
        cls.tier = cls.env["customer.ledger.tier"].create({
            "code": "FE", "name": "Four Eyes Tier", "company_id": cls.company.id, "automatic": False,
            "credit_limit": 3000})
        cls.company.ledger_review_four_eyes = True

    def _submitted(self, requested=5000.0):
        review = self.Reviews.with_user(self.credit_manager).create({
            "credit_file_id": self.credit_file.id, "requested_limit": requested, "rationale": "Bigger orders"})
        review.action_submit()
        return review

    def test_submitter_cannot_set_the_approved_limit(self):
        review = self._submitted()
        for vals in ({"approved_limit": 900000}, {"requested_limit": 900000}, {"rationale": "changed"},
                     {"decision_note": "approve me"}, {"attachment_ids": [(6, 0, [])]}):
            with self.assertRaises(UserError, msg=vals):
                review.write(vals)
        with self.assertRaises(UserError):
            self.Reviews.with_user(self.credit_manager).create({
                "credit_file_id": self.credit_file.id, "approved_limit": 900000})
        with self.assertRaisesRegex(UserError, "another Credit Manager"):
            review.action_approve(900000)
        with self.assertRaisesRegex(UserError, "another Credit Manager"):
            review.action_ledger_approve_wizard()
        # the approver decides, and the figure is the approver's
        review.with_user(self.approver).action_approve()
        self.assertEqual((review.approved_limit, self.credit_file.credit_limit), (5000, 5000))

    def test_a_third_manager_cannot_set_the_figure_either(self):
        review = self._submitted()
        with self.assertRaises(UserError):
            review.with_user(self.approver).write({"approved_limit": 900000})
        wizard = Form(self.env["customer.ledger.credit.review.approve.wizard"].with_user(self.approver).with_context(
            **review.with_user(self.approver).action_ledger_approve_wizard()["context"]))
        self.assertEqual(wizard.approved_limit, 5000)
        wizard.approved_limit = 4000
        wizard.save().action_approve()
        self.assertEqual((review.state, review.approved_limit, review.decided_by), ("approved", 4000, self.approver))
        self.assertEqual(self.credit_file.credit_limit, 4000)

    def test_the_log_and_the_chatter_say_who_asked_and_who_decided(self):
        review = self._submitted()
        review.with_user(self.approver).action_approve()
        log = self.credit_file.hold_log_ids.filtered(lambda entry: entry.action == "review")
        self.assertEqual((len(log), log.review_id, log.create_uid), (1, review, self.approver))
        self.assertIn("asked by Carla Credit, decided by Otto Approver", log.reason)
        self.assertIn("Otto Approver", self.credit_file.message_ids[0].body)
        self.assertIn("Carla Credit", self.credit_file.message_ids[0].body)
        rejected = self._submitted(7000)
        rejected.with_user(self.approver).action_reject("Not now")
        log = self.credit_file.hold_log_ids.filtered(lambda entry: entry.review_id == rejected)
        self.assertIn("asked by Carla Credit, decided by Otto Approver: Not now", log.reason)

    def test_no_direct_way_to_the_limit(self):
        as_manager = self.credit_file.with_user(self.credit_manager)
        with self.assertRaisesRegex(UserError, "only through an approved credit review"):
            as_manager.write({"credit_limit": 900000})
        with self.assertRaisesRegex(UserError, "only through an approved credit review"):
            as_manager.write({"credit_limit": "900000"})
        with self.assertRaisesRegex(AssertionError, "readonly"):
            Form(as_manager).credit_limit = 900000  # readonly in the form under four eyes
        # import
        result = self.Files.with_user(self.credit_manager).load(
            ["id", "credit_limit"], [[self.credit_file.export_data(["id"])["datas"][0][0], "900000"]])
        self.assertTrue(result["messages"], result)
        # Odoo's limit on the customer, which the file follows
        partner = self.customer.with_user(self.credit_manager)
        with self.assertRaisesRegex(UserError, "only through an approved credit review"):
            partner.write({"credit_limit": 900000})
        with self.assertRaisesRegex(UserError, "only through an approved credit review"):
            partner.with_user(self.contact_maker).write(
                {"ledger_credit_file_ids": [(1, self.credit_file.id, {"credit_limit": 900000})]})
        with self.assertRaisesRegex(UserError, "only through an approved credit review"):
            self.env["res.partner"].with_user(self.contact_maker).create({
                "name": "New With Limit", "is_company": True, "credit_limit": 900000})
        # a new file starts at the default: not another figure, nor none
        newcomer = self.env["res.partner"].create({"name": "Newcomer", "is_company": True})
        Files = self.Files.with_user(self.credit_manager)
        with self.assertRaisesRegex(UserError, "starts at its default limit"):
            Files.create({"partner_id": newcomer.id, "company_id": self.company.id, "credit_limit": 900000})
        self.env["customer.ledger.profile"].create({
            "partner_id": newcomer.id, "company_id": self.company.id, "tier_id": self.tier.id})
        self.assertEqual(Files.create({"partner_id": newcomer.id, "company_id": self.company.id}).credit_limit, 3000)
        # tier defaults stay as they are
        with self.assertRaisesRegex(UserError, "default credit limit"):
            self.tier.with_user(self.credit_manager).write({"credit_limit": 900000})
        with self.assertRaisesRegex(UserError, "default credit limit"):
            self.env["customer.ledger.tier"].with_user(self.credit_manager).create({
                "code": "BIG", "name": "Big", "company_id": self.company.id, "credit_limit": 900000})
        # holds do not touch the limit
        wizard = self.env["customer.ledger.credit.hold.wizard"].with_user(self.credit_manager).create({
            "credit_file_id": self.credit_file.id, "action": "hold", "reason": "Cheque bounced"})
        wizard.action_apply()
        self.assertEqual(self.credit_file.credit_limit, 1000)
        self.assertEqual(self.customer.with_company(self.company).credit_limit, 1000)

    def test_four_eyes_off_as_before(self):
        self.company.ledger_review_four_eyes = False
        self.credit_file.with_user(self.credit_manager).credit_limit = 2000
        self.assertEqual(self.customer.with_company(self.company).credit_limit, 2000)
        self.tier.with_user(self.credit_manager).credit_limit = 2500
        review = self._submitted()
        review.action_approve()  # the submitter may decide alone
        self.assertEqual(self.credit_file.credit_limit, 5000)


@tagged("post_install", "-at_install")
class TestCreditAmountsInRange(LedgerCreditCommon):
    """NaN, infinity and absurd magnitudes: a ValidationError naming the field, nothing stored."""

    BAD = (float("nan"), float("inf"), float("-inf"), 1e300, -1e300, 1e16, "NaN", "Infinity", "-inf", "1e300")

    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        cls.customer = cls.env["res.partner"].create({"name": "Amounts Customer", "is_company": True})
        cls.credit_file = cls.Files._for_partner(cls.customer, cls.company)
        cls.credit_file.credit_limit = 1000
        cls.tier = cls.env["customer.ledger.tier"].create({
            "code": "AM", "name": "Amounts", "company_id": cls.company.id, "automatic": False})
        cls.review = cls.env["customer.ledger.credit.review"].create({
            "credit_file_id": cls.credit_file.id, "requested_limit": 2000, "rationale": "Test"})

    def assert_refused(self, action, field):
        with self.assertRaisesRegex(ValidationError, f"^{re.escape(field)}: "):
            action()

    def test_credit_file(self):
        as_manager = self.credit_file.with_user(self.credit_manager)
        for value in self.BAD:
            self.assert_refused(lambda value=value: as_manager.write({"credit_limit": value}), "Credit Limit")
            self.assert_refused(lambda value=value: self.credit_file.sudo().write({"promise_amount": value}),
                                "Promised Amount")
            other = self.env["res.partner"].create({"name": f"Other {value}", "is_company": True})
            self.assert_refused(lambda value=value, other=other: self.Files.with_user(self.credit_manager).create({
                "partner_id": other.id, "company_id": self.company.id, "credit_limit": value}), "Credit Limit")
            self.assert_refused(lambda value=value: self.customer.with_user(self.credit_manager).write(
                {"credit_limit": value}), "Credit Limit")
            if not isinstance(value, str):  # the method takes numbers only
                self.assert_refused(lambda value=value: as_manager.action_record_promise(
                    date.today(), value), "Promised Amount")
        self.credit_file.invalidate_recordset()
        self.assertEqual(self.credit_file.credit_limit, 1000)
        self.assertFalse(self.credit_file.promise_amount)

    def test_promise_wizard(self):
        Wizard = self.env["customer.ledger.promise.wizard"].with_user(self.credit_manager)
        for value in self.BAD:
            self.assert_refused(lambda value=value: Wizard.create({
                "partner_id": self.customer.id, "promise_date": date.today(),
                "promise_amount": value}), "Amount")

    def test_reviews_and_tiers(self):
        review = self.review.with_user(self.credit_manager)
        for value in self.BAD:
            self.assert_refused(lambda value=value: review.write({"requested_limit": value}), "Requested Limit")
            self.assert_refused(lambda value=value: self.env["customer.ledger.credit.review"].with_user(
                self.credit_manager).create({"credit_file_id": self.credit_file.id, "requested_limit": value}),
                "Requested Limit")
            for field, label in (("credit_limit", "Default Credit Limit"), ("revenue_threshold", "Revenue Threshold"),
                                 ("revenue_share", "Cumulative Revenue Share (%)")):
                self.assert_refused(lambda value=value, field=field: self.tier.with_user(self.credit_manager).write(
                    {field: value}), label)
            self.assert_refused(lambda value=value: self.company.write({"ledger_tolerance_amount": value}),
                                "Payment Difference Tolerance")
        review.action_submit()
        for value in self.BAD:
            self.assert_refused(lambda value=value: review.with_user(self.credit_manager).action_approve(value),
                                "Approved Limit")
        self.assertEqual((review.state, self.credit_file.credit_limit), ("submitted", 1000))
