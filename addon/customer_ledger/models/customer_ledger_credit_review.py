# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Credit reviews: a Credit Manager asks for a new limit, with a rationale and documents, and a
Credit Manager approves or rejects it. What the customer looked like (score, exposure, aging) is
kept as it was on submission, and so is the request. The approver gives the approved limit when
approving; it sets the file's limit and its next review date, and the credit log keeps who asked
and who decided. The daily scheduled action asks for a review, as an activity, when that date comes.

With four eyes (the company's setting), the submitter neither decides nor writes the decision, and
an approved review is the only way a credit limit changes."""
from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from .customer_ledger_credit_file import AGING_BUCKETS, RISK_LEVELS
from .customer_ledger_profile import check_credit_manager

REVIEW_STATES = [("draft", "Draft"), ("submitted", "Submitted"), ("approved", "Approved"), ("rejected", "Rejected")]
OPEN_STATES = ("draft", "submitted")
DECIDED_STATES = ("approved", "rejected")
ACTIVITY_TYPE = "customer_ledger.mail_activity_type_credit_review"
DEFAULT_REVIEW_MONTHS = 12  # when the customer has no tier
NOTE_MAX = 4000

# What the file looked like on submission, copied field by field.
SNAPSHOT_FIELDS = ("score", "score_items", "exposure", "receivable", "draft_invoiced", *AGING_BUCKETS, "dso",
                   "risk_level")
# Set by the review's own steps (as superuser, after their checks), never by a plain write: the
# approved limit too, given by the approver to action_approve, so that nobody else can set it.
SYSTEM_FIELDS = frozenset(("name", "state", "current_limit", "approved_limit", "submitted_by", "submitted_date",
                           "decided_by", "decided_date", *SNAPSHOT_FIELDS))
# What a Credit Manager may change, by state; other fields of the review stay as they are. The
# request (limit, rationale, documents) is frozen on submission; the decision note is the decider's.
EDITABLE = {
    "draft": frozenset(("credit_file_id", "requested_limit", "rationale", "attachment_ids")),
    "submitted": frozenset(("decision_note",)),
    "approved": frozenset(),
    "rejected": frozenset(),
}
# The review's own fields: the rest (chatter, activities) stays free.
REVIEW_FIELDS = SYSTEM_FIELDS.union(*EDITABLE.values(), ("partner_id", "company_id", "currency_id"))


class CustomerLedgerCreditReview(models.Model):
    """A request for a new credit limit, from draft to approved or rejected."""

    _name = "customer.ledger.credit.review"
    _description = "Credit Review"
    _inherit = ["mail.thread", "mail.activity.mixin", "customer.ledger.state.guard", "customer.ledger.amount.guard"]
    _order = "id desc"
    _ledger_amount_fields = ("requested_limit", "approved_limit")
    _ledger_system_fields = SYSTEM_FIELDS
    _ledger_editable = EDITABLE
    _ledger_guarded_fields = REVIEW_FIELDS

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default=lambda self: _("New"))
    credit_file_id = fields.Many2one("customer.ledger.credit.file", required=True, ondelete="cascade", index=True)
    partner_id = fields.Many2one(related="credit_file_id.partner_id", store=True, string="Customer")
    company_id = fields.Many2one(related="credit_file_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="credit_file_id.currency_id")
    state = fields.Selection(REVIEW_STATES, default="draft", required=True, readonly=True, copy=False,
                             tracking=True, index=True)
    current_limit = fields.Monetary(
        compute="_compute_current_limit", store=True, readonly=True, copy=False,
        help="The file's credit limit, taken again on submission.")
    requested_limit = fields.Monetary(compute="_compute_requested_limit", store=True, readonly=False,
                                      tracking=True, help="Zero: no limit.")
    approved_limit = fields.Monetary(
        tracking=True, copy=False, readonly=True,
        help="Given by the approving Credit Manager when approving: the requested limit, or another.")
    rationale = fields.Text(help="Why this limit: needed to submit.")
    decision_note = fields.Text(tracking=True, copy=False, help="Why it was approved or rejected: needed to reject.")
    attachment_ids = fields.Many2many(
        "ir.attachment", "customer_ledger_credit_review_attachment_rel", "review_id", "attachment_id",
        string="Attachments", copy=False, help="Financial statements and other documents behind the request.")
    submitted_by = fields.Many2one("res.users", readonly=True, copy=False)
    submitted_date = fields.Datetime(readonly=True, copy=False)
    decided_by = fields.Many2one("res.users", readonly=True, copy=False)
    decided_date = fields.Datetime(readonly=True, copy=False)
    # snapshot on submission
    score = fields.Integer(string="Credit Score", readonly=True, copy=False)
    score_items = fields.Integer(string="Invoice Items Assessed", readonly=True, copy=False)
    exposure = fields.Monetary(readonly=True, copy=False)
    receivable = fields.Monetary(string="Open Receivables", readonly=True, copy=False)
    draft_invoiced = fields.Monetary(string="Draft Invoices", readonly=True, copy=False)
    aging_current = fields.Monetary(string="Not Due", readonly=True, copy=False)
    aging_1_30 = fields.Monetary(string="1-30 Days", readonly=True, copy=False)
    aging_31_60 = fields.Monetary(string="31-60 Days", readonly=True, copy=False)
    aging_61_90 = fields.Monetary(string="61-90 Days", readonly=True, copy=False)
    aging_over_90 = fields.Monetary(string="Over 90 Days", readonly=True, copy=False)
    dso = fields.Float(string="DSO (Days)", readonly=True, copy=False, digits=(16, 1))
    risk_level = fields.Selection(RISK_LEVELS, readonly=True, copy=False)

    @api.depends("credit_file_id")
    def _compute_current_limit(self):
        for review in self:
            review.current_limit = review.credit_file_id.credit_limit

    @api.depends("credit_file_id")
    def _compute_requested_limit(self):
        for review in self:
            review.requested_limit = review.credit_file_id.credit_limit

    @api.constrains("requested_limit", "approved_limit")
    def _check_limits(self):
        for review in self:
            if review.requested_limit < 0 or review.approved_limit < 0:
                raise ValidationError(_("A credit limit cannot be negative (review %s).", review.name))

    # ------------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        self._check_manager()
        if not self.env.su:
            for vals in vals_list:
                vals.pop("current_limit", None)  # the file's, computed
                if vals.get("state", "draft") != "draft" or any(
                        vals.get(name) for name in SYSTEM_FIELDS - {"name", "state"}):
                    raise UserError(_("A credit review starts as a draft; submit it to take its snapshot."))
        Files = self.env["customer.ledger.credit.file"]
        for vals in vals_list:
            if vals.get("name", _("New")) == _("New") or not self.env.su:
                company = Files.browse(vals.get("credit_file_id")).exists().company_id or self.env.company
                vals["name"] = self.env["ir.sequence"].with_company(company).next_by_code(
                    "customer.ledger.credit.review") or _("New")
        reviews = super().create(vals_list)
        reviews._ledger_own_attachments()
        return reviews

    def write(self, vals):
        self._check_manager()
        self._ledger_check_editable(
            vals, _("The state, the snapshot, the approved limit and who decided are set by the review's buttons."))
        if "decision_note" in vals and not self.env.su:
            self._check_four_eyes()  # the decision is the decider's
        result = super().write(vals)
        if "attachment_ids" in vals:
            self._ledger_own_attachments()
        return result

    def unlink(self):
        self._check_manager()
        if any(review.state != "draft" for review in self):
            raise UserError(_("Only draft credit reviews can be deleted; submitted ones are kept as a record."))
        return super().unlink()

    def _ledger_own_attachments(self):
        """Make the review's attachments its own (res_model/res_id), as the user: uploads made on a
        new review have no res_id yet. Attachments of other documents are refused."""
        for review in self:
            attachments = review.attachment_ids
            foreign = attachments.filtered(lambda a, review=review: (a.res_model or a.res_id) and (
                a.res_model != review._name or a.res_id not in (0, review.id)))
            if foreign:
                raise ValidationError(_("%s belongs to another document: upload the file to the review instead.",
                                        foreign[0].name))
            loose = attachments.filtered(lambda a: not a.res_id)
            if loose:
                loose.write({"res_model": review._name, "res_id": review.id})

    @api.model
    def _check_manager(self):
        check_credit_manager(self.env, _("Only Credit Managers request, approve or reject credit reviews."))

    # ------------------------------------------------------------------
    # Steps
    # ------------------------------------------------------------------

    def _check_state(self, states, action):
        """Raise unless the user is a Credit Manager who may write the reviews, each in one of ``states``."""
        self._check_manager()
        self._ledger_check_state(states, action)

    def _check_four_eyes(self):
        """Where the company asks for it, the submitter does not decide on their own request."""
        for review in self:
            if review.company_id.ledger_review_four_eyes and review.submitted_by == self.env.user:
                raise UserError(_("%s was submitted by you: another Credit Manager decides on it (four-eyes "
                                  "reviews).", review.name))

    def _snapshot_values(self):
        """What the review keeps of its file now: limit, score, exposure and aging."""
        self.ensure_one()
        credit_file = self.credit_file_id
        credit_file.sudo()._ledger_compute_scores()
        credit_file.invalidate_recordset(list(SNAPSHOT_FIELDS))  # exposure and aging as of now
        values = {name: credit_file[name] for name in SNAPSHOT_FIELDS}
        values["current_limit"] = credit_file.credit_limit
        return values

    def action_submit(self):
        """Submit drafts for approval, taking the snapshot of their files."""
        self._check_state(("draft",), _("submitted"))
        for review in self:
            if not (review.rationale or "").strip():
                raise UserError(_("Give the rationale of %s before submitting it.", review.name))
            waiting = self.sudo().search([("credit_file_id", "=", review.credit_file_id.id),
                                          ("state", "=", "submitted"), ("id", "!=", review.id)], limit=1)
            if waiting:
                raise UserError(_("%(review)s already waits for approval for %(customer)s.", review=waiting.name,
                                  customer=review.partner_id.display_name))
            values = review._snapshot_values()
            values.update(state="submitted", approved_limit=0.0, submitted_by=self.env.uid,
                          submitted_date=fields.Datetime.now(), decided_by=False, decided_date=False)
            review.sudo().write(values)
        return True

    def action_approve(self, approved_limit=None):
        """Approve, as the decider: the file takes ``approved_limit`` (default: the requested limit),
        given here and nowhere else, and its next review date from the tier."""
        self._check_state(("submitted",), _("approved"))
        self._check_four_eyes()
        if approved_limit is not None:
            approved_limit = self._ledger_check_amounts({"approved_limit": approved_limit})["approved_limit"]
            if approved_limit < 0:
                raise ValidationError(_("A credit limit cannot be negative."))
        today = fields.Date.context_today(self)
        for review in self:
            credit_file = review.credit_file_id
            limit = review.requested_limit if approved_limit is None else review.currency_id.round(approved_limit)
            months = credit_file.tier_id.review_interval_months or DEFAULT_REVIEW_MONTHS
            next_date = today + relativedelta(months=months)
            old_limit = credit_file.credit_limit
            # the approval is the way to the limit that four eyes leave: as superuser, after the checks above
            credit_file.sudo().write({"credit_limit": limit, "next_review_date": next_date})
            review.sudo().write({"state": "approved", "approved_limit": limit, "decided_by": self.env.uid,
                                 "decided_date": fields.Datetime.now()})
            values = {"review": review.name, "old": review._ledger_format(old_limit),
                      "new": review._ledger_format(limit), "date": next_date, **review._ledger_who()}
            review.message_post(body=_("Approved by %(decider)s (asked by %(asker)s): credit limit %(old)s to "
                                       "%(new)s; next review on %(date)s.", **values), subtype_xmlid="mail.mt_note")
            credit_file.message_post(body=_("Credit review %(review)s approved by %(decider)s (asked by %(asker)s): "
                                            "limit %(old)s to %(new)s; next review on %(date)s.", **values),
                                     subtype_xmlid="mail.mt_note")
            review._ledger_log(_("%(review)s approved: limit %(old)s to %(new)s; asked by %(asker)s, decided by "
                                 "%(decider)s.", **values))
            credit_file.activity_feedback([ACTIVITY_TYPE], feedback=_("Credit review %s approved.", review.name))
        return True

    def action_ledger_approve_wizard(self):
        """Approve with another limit than the requested one: the approver gives it in a dialog."""
        self.ensure_one()
        self._check_state(("submitted",), _("approved"))
        self._check_four_eyes()
        return {
            "type": "ir.actions.act_window", "name": _("Approve Credit Review"),
            "res_model": "customer.ledger.credit.review.approve.wizard", "view_mode": "form", "target": "new",
            "context": {"default_review_id": self.id, "default_approved_limit": self.requested_limit},
        }

    def _ledger_who(self):
        """Who asked (submitted) and who decides (the user), by name, for the messages and the credit log."""
        self.ensure_one()
        return {"asker": self.submitted_by.name or "", "decider": self.env.user.name}

    def _ledger_log(self, reason):
        """Keep the decision in the file's credit log, the user as its author."""
        self.ensure_one()
        self.env["customer.ledger.credit.hold.log"].sudo().create({
            "credit_file_id": self.credit_file_id.id, "action": "review", "review_id": self.id, "reason": reason})

    def action_reject(self, note=None):
        """Reject with a note: given here, or else the review's Decision Note. The limit stays."""
        if note is not None and not isinstance(note, str):
            raise ValidationError(_("The rejection note is text."))
        self._check_state(("submitted",), _("rejected"))
        self._check_four_eyes()
        for review in self:
            reason = (note if note is not None else review.decision_note or "").strip()[:NOTE_MAX]
            if not reason:
                raise UserError(_("Say why %s is rejected in its Decision Note.", review.name))
            review.sudo().write({"state": "rejected", "decision_note": reason, "decided_by": self.env.uid,
                                 "decided_date": fields.Datetime.now()})
            values = {"review": review.name, "reason": reason, **review._ledger_who()}
            review.message_post(body=_("Rejected by %(decider)s (asked by %(asker)s): %(reason)s", **values),
                                subtype_xmlid="mail.mt_note")
            review.credit_file_id.message_post(
                body=_("Credit review %(review)s rejected by %(decider)s (asked by %(asker)s): %(reason)s", **values),
                subtype_xmlid="mail.mt_note")
            review._ledger_log(_("%(review)s rejected; asked by %(asker)s, decided by %(decider)s: %(reason)s",
                                 **values))
        return True

    def action_draft(self):
        """Back to draft: a submitted review withdrawn, or a rejected one to amend and submit again."""
        self._check_state(("submitted", "rejected"), _("reset to draft"))
        self.sudo().write({"state": "draft", "approved_limit": 0.0, "decision_note": False, "decided_by": False,
                           "decided_date": False})
        return True

    def _ledger_format(self, amount):
        return self.currency_id.format(amount) if self.currency_id else str(amount)


class CustomerLedgerCreditFile(models.Model):
    _name = "customer.ledger.credit.file"
    _inherit = ["customer.ledger.credit.file", "mail.activity.mixin"]

    review_ids = fields.One2many("customer.ledger.credit.review", "credit_file_id", string="Credit Reviews",
                                 readonly=True)
    review_count = fields.Integer(compute="_compute_review_count", string="Reviews")

    def _compute_review_count(self):
        counts = dict(self.env["customer.ledger.credit.review"]._read_group(
            [("credit_file_id", "in", self.ids)], ["credit_file_id"], ["__count"]))
        for credit_file in self:
            credit_file.review_count = counts.get(credit_file, 0)

    def action_ledger_request_review(self):
        """Open the file's open review, or a new draft with the current limit."""
        self.ensure_one()
        Reviews = self.env["customer.ledger.credit.review"]
        Reviews._check_manager()
        review = Reviews.search([("credit_file_id", "=", self.id), ("state", "in", OPEN_STATES)], limit=1)
        if not review:
            review = Reviews.create({"credit_file_id": self.id})
        return {
            "type": "ir.actions.act_window",
            "name": _("Credit Review"),
            "res_model": review._name,
            "res_id": review.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_ledger_view_reviews(self):
        """The file's credit reviews."""
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id("customer_ledger.customer_ledger_credit_review_action")
        action["domain"] = [("credit_file_id", "=", self.id)]
        action["context"] = {"default_credit_file_id": self.id}
        return action

    def _ledger_review_assignee(self, last_approvers, managers):
        """Who reviews this file: its Credit Reviewer, else the last approver, else a Credit Manager."""
        self.ensure_one()
        company = self.company_id
        for user in (self.user_id, last_approvers.get(self.id)):
            if user and user.active and company in user.company_ids and user in managers:
                return user
        return managers.filtered(lambda u: company in u.company_ids)[:1]

    def _ledger_schedule_due_reviews(self):
        """Schedule a "Credit Review" activity on each file whose review is due, unless a review is
        open or the activity already waits (once per due date, however often the cron runs)."""
        today = fields.Date.context_today(self)
        due = self.filtered(lambda f: f.next_review_date and f.next_review_date <= today)
        if not due:
            return self.browse()
        Reviews = self.env["customer.ledger.credit.review"].sudo()
        open_files = Reviews.search([("credit_file_id", "in", due.ids), ("state", "in", OPEN_STATES)]).credit_file_id
        activity_type = self.env.ref(ACTIVITY_TYPE)
        waiting = self.env["mail.activity"].sudo().search([
            ("res_model", "=", self._name), ("res_id", "in", due.ids),
            ("activity_type_id", "=", activity_type.id)]).mapped("res_id")
        due = due.filtered(lambda f: f not in open_files and f.id not in waiting)
        if not due:
            return due
        last_approvers = {}
        for review in Reviews.search([("credit_file_id", "in", due.ids), ("state", "=", "approved")],
                                     order="decided_date desc, id desc"):
            last_approvers.setdefault(review.credit_file_id.id, review.decided_by)
        managers = self.env.ref("customer_ledger.group_credit_manager").sudo().users.filtered(
            lambda u: u.active and not u.share).sorted("id")
        scheduled = self.browse()
        for credit_file in due:
            user = credit_file._ledger_review_assignee(last_approvers, managers)
            credit_file.sudo().activity_schedule(
                ACTIVITY_TYPE, date_deadline=credit_file.next_review_date,
                summary=_("Credit review of %s is due", credit_file.partner_id.display_name),
                user_id=user.id or self.env.uid)
            scheduled |= credit_file
        return scheduled
