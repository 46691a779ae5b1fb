# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tests.common import new_test_user

from .common import LedgerCreditCommon

ACTIVITY_TYPE = "customer_ledger.mail_activity_type_credit_review"


@tagged("post_install", "-at_install")
class TestCreditReview(LedgerCreditCommon):
    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        common = {"company_id": cls.company.id, "company_ids": [(6, 0, cls.company.ids)]}
        cls.approver = new_test_user(cls.env, login="review_approver",
                                     groups="customer_ledger.group_credit_manager", **common)
        cls.reviewer = new_test_user(cls.env, login="review_reviewer",
                                     groups="customer_ledger.group_credit_manager", **common)
        cls.tier = cls.env["customer.ledger.tier"].create({
            "code": "R6", "name": "Reviewed Twice a Year", "review_interval_months": 6, "company_id": cls.company.id,
            "automatic": False})
        cls.customer = cls.env["res.partner"].create({
            "name": "Review Customer", "is_company": True,
            "property_payment_term_id": cls.env.ref("account.account_payment_term_immediate").id})
        cls.env["customer.ledger.profile"].create({
            "partner_id": cls.customer.id, "company_id": cls.company.id, "tier_id": cls.tier.id})
        cls.Files = cls.env["customer.ledger.credit.file"]
        cls.Reviews = cls.env["customer.ledger.credit.review"]
        cls.credit_file = cls.Files._for_partner(cls.customer, cls.company)
        cls.credit_file.credit_limit = 1000
        cls.today = fields.Date.context_today(cls.credit_file)

    def _review(self, credit_file=None, requested=5000.0, rationale="New warehouse: larger orders", user=None):
        return self.Reviews.with_user(user or self.credit_manager).create({
            "credit_file_id": (credit_file or self.credit_file).id, "requested_limit": requested,
            "rationale": rationale})

    def _due_activities(self, credit_file):
        return self.env["mail.activity"].search([
            ("res_model", "=", credit_file._name), ("res_id", "=", credit_file.id),
            ("activity_type_id", "=", self.env.ref(ACTIVITY_TYPE).id)])

    def test_approval_sets_the_limit_and_the_next_review(self):
        review = self._review()
        self.assertRegex(review.name, r"^CR/\d{4}/\d{5}$")
        self.assertEqual((review.state, review.current_limit), ("draft", 1000))
        review.action_submit()
        self.assertEqual((review.state, review.approved_limit), ("submitted", 0), "the approver gives it")
        self.assertEqual((review.submitted_by, review.current_limit), (self.credit_manager, 1000))
        review = review.with_user(self.approver)
        review.action_approve(4000)  # the approver grants less than asked
        self.assertEqual((review.state, review.decided_by, review.approved_limit), ("approved", self.approver, 4000))
        self.assertEqual(self.credit_file.credit_limit, 4000)
        self.assertEqual(self.customer.with_company(self.company).credit_limit, 4000, "Odoo's limit follows")
        self.assertEqual(self.credit_file.next_review_date, self.today + relativedelta(months=6), "the tier's interval")
        self.assertIn(review.name, self.credit_file.message_ids[0].body)
        self.assertEqual(self.credit_file.review_count, 1)

        # a customer without a tier is reviewed every 12 months
        other = self.Files._for_partner(self.env["res.partner"].create({"name": "No Tier", "is_company": True}),
                                        self.company)
        review = self._review(other, requested=0)
        self.assertEqual(review.current_limit, 0)
        review.action_submit()
        review.action_approve()
        self.assertEqual(other.next_review_date, self.today + relativedelta(months=12))

    def test_rejection_needs_a_note_and_keeps_the_limit(self):
        review = self._review()
        review.action_submit()
        with self.assertRaisesRegex(UserError, "Decision Note"):
            review.action_reject()
        with self.assertRaises(UserError):
            review.action_reject("   ")
        with self.assertRaises(ValidationError):
            review.action_reject(["not", "text"])
        review.with_user(self.approver).action_reject("Two cheques bounced this quarter")
        self.assertEqual((review.state, review.decision_note), ("rejected", "Two cheques bounced this quarter"))
        self.assertEqual((review.decided_by, self.credit_file.credit_limit), (self.approver, 1000))
        self.assertFalse(self.credit_file.next_review_date)
        with self.assertRaises(UserError):
            review.write({"requested_limit": 2000})
        # amended and submitted again
        review.action_draft()
        self.assertEqual(review.state, "draft")
        self.assertFalse(review.decision_note or review.decided_by)
        review.write({"requested_limit": 2000, "rationale": "Smaller step, with a bank guarantee"})
        review.action_submit()
        review.action_approve()
        self.assertEqual(self.credit_file.credit_limit, 2000)

    def test_the_snapshot_is_taken_at_submission(self):
        self.init_invoice("out_invoice", partner=self.customer, amounts=[600], taxes=[], post=True,
                          invoice_date=self.today - relativedelta(days=45))
        self.init_invoice("out_invoice", partner=self.customer, amounts=[300], taxes=[], post=True,
                          invoice_date=self.today)
        review = self._review()
        self.assertEqual((review.exposure, review.score_items), (0, 0), "no snapshot in draft")
        self.assertEqual(self.credit_file.exposure, 900)  # read, and cached, before the submission
        self.init_invoice("out_invoice", partner=self.customer, amounts=[50], taxes=[])  # a draft
        review.action_submit()
        expected = {"exposure": 950, "receivable": 900, "draft_invoiced": 50, "aging_current": 300,
                    "aging_1_30": 0, "aging_31_60": 600, "aging_61_90": 0, "aging_over_90": 0,
                    "score_items": 1, "risk_level": "high"}
        self.maxDiff = None
        self.assertEqual({name: review[name] for name in expected}, expected)
        self.assertEqual(review.score, self.credit_file.score)
        self.assertEqual(review.dso, self.credit_file.dso)
        # later invoices move the file, not the review
        self.init_invoice("out_invoice", partner=self.customer, amounts=[1000], taxes=[], post=True,
                          invoice_date=self.today)
        self.credit_file.invalidate_recordset()
        review.invalidate_recordset()
        self.assertEqual(self.credit_file.exposure, 1950)
        self.assertEqual((review.exposure, review.aging_current, review.risk_level), (950, 300, "high"))
        with self.assertRaises(UserError):
            review.write({"exposure": 0})

    def test_four_eyes(self):
        self.company.ledger_review_four_eyes = True
        review = self._review()
        review.action_submit()
        for decide in (lambda r: r.action_approve(), lambda r: r.action_reject("mine")):
            with self.assertRaisesRegex(UserError, "another Credit Manager"):
                decide(review)
        review.with_user(self.approver).action_approve()
        self.assertEqual((review.state, review.decided_by, self.credit_file.credit_limit),
                         ("approved", self.approver, 5000))

    def test_state_machine_refusals(self):
        review = self._review(rationale=False)
        with self.assertRaisesRegex(UserError, "cannot be approved"):
            review.action_approve()
        with self.assertRaises(UserError):
            review.action_reject("no")
        with self.assertRaisesRegex(UserError, "rationale"):
            review.action_submit()
        with self.assertRaises(UserError):
            review.write({"state": "approved"})
        with self.assertRaises(ValidationError):
            review.write({"requested_limit": -1})
        with self.assertRaises(UserError):
            self.Reviews.with_user(self.credit_manager).create({
                "credit_file_id": self.credit_file.id, "state": "approved", "rationale": "skip the queue"})
        review.rationale = "Seasonal peak"
        review.action_submit()
        with self.assertRaisesRegex(UserError, "already waits for approval"):
            self._review().action_submit()  # one submitted review per file at a time
        with self.assertRaises(UserError):
            review.action_submit()
        with self.assertRaises(UserError):
            review.write({"requested_limit": 9000})  # the request is fixed once submitted
        with self.assertRaises(UserError):
            review.unlink()
        review.action_approve()
        with self.assertRaises(UserError):
            review.action_approve()
        for vals in ({"approved_limit": 1}, {"rationale": "changed"}, {"decision_note": "later"}):
            with self.assertRaises(UserError):
                review.write(vals)
        with self.assertRaises(UserError):
            review.action_draft()
        self.assertEqual(self.credit_file.credit_limit, 5000)
        # drafts only may be deleted
        draft = self._review()
        draft.unlink()
        self.assertFalse(draft.exists())

    def test_attachments_belong_to_the_review(self):
        Attachment = self.env["ir.attachment"].with_user(self.credit_manager)
        statements = Attachment.create({"name": "balance_sheet.pdf", "raw": b"%PDF-1.4 statements"})
        review = self.Reviews.with_user(self.credit_manager).create({
            "credit_file_id": self.credit_file.id, "attachment_ids": [(6, 0, statements.ids)]})
        self.assertEqual((statements.res_model, statements.res_id), (review._name, review.id))
        elsewhere = self.env["ir.attachment"].create({
            "name": "other.pdf", "raw": b"x", "res_model": "res.partner", "res_id": self.customer.id})
        with self.assertRaisesRegex(ValidationError, "another document"):
            review.write({"attachment_ids": [(4, elsewhere.id)]})
        self.assertEqual((elsewhere.res_model, elsewhere.res_id), ("res.partner", self.customer.id))

    def test_access_per_group(self):
        review = self._review()
        review.action_submit()
        as_user = review.with_user(self.ledger_user)
        self.assertEqual((as_user.state, as_user.requested_limit), ("submitted", 5000))
        self.assertEqual(self.credit_file.with_user(self.ledger_user).review_count, 1)
        with self.assertRaises(AccessError):
            self._review(user=self.ledger_user)
        for action in (lambda r: r.action_approve(), lambda r: r.action_reject("no"), lambda r: r.action_draft(),
                       lambda r: r.write({"approved_limit": 1}), lambda r: r.unlink()):
            with self.assertRaises(AccessError):
                action(as_user)
        with self.assertRaises(AccessError):
            self.credit_file.with_user(self.ledger_user).action_ledger_request_review()
        with self.assertRaises(AccessError):
            self.Reviews.with_user(self.robot).search([])
        with self.assertRaises(AccessError):
            review.with_user(self.robot).read(["state"])
        self.assertEqual(review.state, "submitted")
        self.assertEqual(self.credit_file.credit_limit, 1000)

        # a Credit Manager of the first company sees nothing of the second's
        file_2 = self.Files.with_company(self.company_2)._for_partner(self.customer, self.company_2)
        review_2 = self.Reviews.create({"credit_file_id": file_2.id, "rationale": "Other company"})
        self.assertEqual(review_2.company_id, self.company_2)
        manager_reviews = self.Reviews.with_user(self.credit_manager).search([])
        self.assertIn(review, manager_reviews)
        self.assertNotIn(review_2, manager_reviews)
        with self.assertRaises(AccessError):
            review_2.with_user(self.credit_manager).read(["state"])
        with self.assertRaises(AccessError):
            review_2.with_user(self.credit_manager).action_submit()
        with self.assertRaises(AccessError):
            self._review(file_2)

    def test_due_review_activity_is_scheduled_once_and_closed_by_approval(self):
        Files = self.Files.sudo()
        self.credit_file.write({"user_id": self.reviewer.id, "next_review_date": self.today - relativedelta(days=1)})
        not_due = Files._for_partner(self.env["res.partner"].create({"name": "Not Due", "is_company": True}),
                                     self.company)
        not_due.next_review_date = self.today + relativedelta(days=1)
        scheduled = Files.search([])._ledger_schedule_due_reviews()
        self.assertIn(self.credit_file, scheduled)
        Files.search([])._ledger_schedule_due_reviews()  # the next day's run: nothing more
        activity = self._due_activities(self.credit_file)
        self.assertEqual(len(activity), 1)
        self.assertEqual((activity.user_id, activity.date_deadline), (self.reviewer, self.credit_file.next_review_date))
        self.assertIn("Review Customer", activity.summary)
        self.assertFalse(self._due_activities(not_due))

        # the reviewer asks for the review from the file: the same open review the second time
        action = self.credit_file.with_user(self.reviewer).action_ledger_request_review()
        review = self.Reviews.browse(action["res_id"])
        self.assertEqual((review.state, review.requested_limit, review.current_limit), ("draft", 1000, 1000))
        self.assertEqual(self.credit_file.with_user(self.reviewer).action_ledger_request_review()["res_id"], review.id)
        review.with_user(self.reviewer).write({"requested_limit": 3000, "rationale": "Yearly review"})
        review.with_user(self.reviewer).action_submit()
        review.with_user(self.approver).action_approve()
        self.assertFalse(self._due_activities(self.credit_file), "approval closes the activity")
        self.assertEqual(self.credit_file.next_review_date, self.today + relativedelta(months=6))
        self.assertFalse(Files.search([])._ledger_schedule_due_reviews().filtered(lambda f: f == self.credit_file))

        # no reviewer: the approver of the last review gets it; a file with an open review gets none
        self.credit_file.write({"user_id": False, "next_review_date": self.today})
        with_open_review = Files._for_partner(self.env["res.partner"].create({"name": "Open", "is_company": True}),
                                              self.company)
        with_open_review.next_review_date = self.today
        self._review(with_open_review)
        Files.search([])._ledger_schedule_due_reviews()
        self.assertEqual(self._due_activities(self.credit_file).user_id, self.approver)
        self.assertFalse(self._due_activities(with_open_review))

        # no reviewer and no review yet: the first active Credit Manager of the company
        first_review = Files._for_partner(self.env["res.partner"].create({"name": "First", "is_company": True}),
                                          self.company)
        first_review.next_review_date = self.today
        Files.search([])._ledger_schedule_due_reviews()
        managers = self.env.ref("customer_ledger.group_credit_manager").users.filtered(
            lambda u: u.active and not u.share and self.company in u.company_ids)
        self.assertEqual(self._due_activities(first_review).user_id, managers.sorted("id")[:1])
