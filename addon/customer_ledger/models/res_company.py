# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .customer_ledger_tier import STATEMENT_FREQUENCIES


def parse_aging_bounds(text):
    """``"30,60,90"`` to ``[30, 60, 90]``: whole days, above zero, increasing; ValueError if not."""
    bounds = [int(part) for part in (text or "").replace(" ", "").split(",") if part]
    if not bounds or bounds[0] <= 0 or any(a >= b for a, b in zip(bounds, bounds[1:], strict=False)):
        raise ValueError(text)
    return bounds


def aging_bucket_days(bounds):
    """The buckets' days past due, ``(from, to)``, ``to`` None for the last one: (0, 0) not due,
    (1, 30), (31, 60), (61, 90), (91, None) for ``[30, 60, 90]``, as ``res.company._ledger_aging_label``
    names them."""
    days = [(0, 0)]
    low = 1
    for bound in bounds:
        days.append((low, bound))
        low = bound + 1
    days.append((low, None))
    return days


class ResCompany(models.Model):
    _name = "res.company"
    _inherit = ["res.company", "customer.ledger.amount.guard"]
    _ledger_amount_fields = ("ledger_match_threshold", "ledger_match_margin", "ledger_tolerance_amount",
                             "ledger_tolerance_percent")

    ledger_auto_reconcile = fields.Boolean(
        string="Reconcile Automatically",
        default=True,
        help="Reconcile bank transactions whose best match is above the threshold and clearly "
        "ahead of the next one. Others stay as suggestions.",
    )
    ledger_match_threshold = fields.Float(string="Automatic Threshold", default=0.9)
    ledger_match_margin = fields.Float(string="Lead Over the Next Candidate", default=0.1)
    ledger_oldest_first = fields.Boolean(
        string="Identical Open Items: Oldest First",
        default=True,
        help="When a payer known by bank account, a remembered mapping or its name pays, without "
        "a reference, the amount of several of its open items alike (a subscription, say), "
        "reconcile the oldest of them, as reconciliation models do with 'oldest first'. "
        "Unticked, such payments stay as suggestions.",
    )
    ledger_tolerance_amount = fields.Monetary(
        string="Payment Difference Tolerance",
        currency_field="currency_id",
        help="A payment short by at most this much (bank fees, small discounts) is reconciled "
        "in full and the difference written off.",
    )
    ledger_tolerance_percent = fields.Float(string="Payment Difference Tolerance (%)")
    ledger_writeoff_account_id = fields.Many2one(
        "account.account",
        string="Write-off Account",
        check_company=True,
        domain="[('deprecated', '=', False), ('account_type', 'in', ('expense', 'income', 'income_other'))]",
    )

    ledger_credit_enforcement = fields.Selection(
        [("warn", "Warn"), ("block", "Block")],
        string="Credit Enforcement",
        default="warn",
        required=True,
        help="Posting a customer invoice (or, with Customer Ledger for Sales, confirming a sales order) over the "
        "customer's credit limit, or while it is on hold. Warn: the document shows why and goes through, and "
        "the credit log keeps it. Block: only a Credit Manager's override lets it through, and the credit log "
        "keeps the override.",
    )

    ledger_review_four_eyes = fields.Boolean(
        string="Four-Eyes Credit Reviews",
        help="A credit review is approved or rejected by another Credit Manager than the one who submitted it.",
    )

    ledger_statement_aging_bounds = fields.Char(
        string="Statement Aging Buckets",
        default="30,60,90",
        required=True,
        help="Days past due closing each aging bucket of statements of account, comma-separated and increasing: "
        "30,60,90 gives Not Due, 1-30, 31-60, 61-90 and Over 90.",
    )

    ledger_statement_frequency = fields.Selection(
        STATEMENT_FREQUENCIES,
        string="Statement Frequency Without Tier",
        default="monthly",
        required=True,
        help="How often customers without a tier get a statement of account; customers in a tier follow the "
        "tier's frequency. Scheduled statements cover the week, month or quarter just ended.",
    )
    ledger_statement_user_id = fields.Many2one(
        "res.users",
        string="Scheduled Statements Responsible",
        check_company=True,
        domain="[('share', '=', False), ('company_ids', 'in', id)]",
        help="The accountant responsible for scheduled statements of account: a customer's dispute schedules an "
        "activity for them. Empty: a Reconciliation Accountant of the company.",
    )
    ledger_statement_auto_send = fields.Boolean(
        string="Send Scheduled Statements",
        help="Send scheduled statements of account to the customers as soon as they are made, rather than "
        "leaving them as drafts to check.",
    )

    @api.constrains("ledger_statement_aging_bounds")
    def _check_ledger_statement_aging_bounds(self):
        for company in self:
            company._ledger_statement_aging_bounds()

    @api.constrains("ledger_writeoff_account_id", "ledger_statement_user_id", "ledger_reminder_policy_id")
    def _check_ledger_companies(self):
        # res.company has no _check_company_auto: without this, settings could name another company's records
        self._check_company(["ledger_writeoff_account_id", "ledger_statement_user_id", "ledger_reminder_policy_id"])

    def _ledger_pick_user(self, candidates=(), groups=()):
        """Who is to act for this company: the first of ``candidates`` (users, in order of
        preference) who is a person working in it (active, internal, of the company, not OdooBot),
        else the first such member of ``groups`` (XML ids, in order), of a Reconciliation
        Accountant, of the account managers, or of the administrators; empty when nobody fits."""
        self.ensure_one()
        for user in candidates:
            if user and self._ledger_people(user):
                return user
        for group in (*groups, "customer_ledger.group_reconciliation_accountant", "account.group_account_manager",
                      "base.group_system"):
            users = self._ledger_people(self.env.ref(group).sudo().users).sorted("id")
            if users:
                return users[0].sudo(False)
        return self.env["res.users"]

    def _ledger_people(self, users):
        """Those of ``users`` who are people working in this company: active, internal, of the company,
        not OdooBot."""
        self.ensure_one()
        return users.filtered(lambda user: user.sudo().active and not user.sudo().share
                              and not user._is_superuser() and self in user.sudo().company_ids)

    def _ledger_statement_aging_bounds(self):
        """The company's statement aging bounds as days, e.g. ``[30, 60, 90]``."""
        self.ensure_one()
        return self._ledger_parse_aging_bounds(self.ledger_statement_aging_bounds)

    @api.model
    def _ledger_parse_aging_bounds(self, text):
        """``"30,60,90"`` as days, ``[30, 60, 90]``, or a ValidationError saying what is expected."""
        try:
            return parse_aging_bounds(text)
        except ValueError:
            raise ValidationError(_(
                "Aging buckets are whole days above zero, increasing and comma-separated, such as 30,60,90 "
                "(not %s).", text)) from None

    @api.model
    def _ledger_aging_label(self, days_from, days_to):
        """The name of the bucket from ``days_from`` to ``days_to`` days past due (see
        :func:`aging_bucket_days`; ``days_to`` empty for the last), in the context's language: Not Due,
        1-30, ..., Over 90."""
        if days_from <= 0:
            return _("Not Due")
        if not days_to:
            return _("Over %s", days_from - 1)
        return f"{days_from}-{days_to}"

    @api.model
    def _ledger_aging_labels(self, bounds):
        """The names of the buckets of ``bounds``, in the context's language."""
        return [self._ledger_aging_label(low, high) for low, high in aging_bucket_days(bounds)]

    # customer tiers and lifecycle
    ledger_tier_method = fields.Selection(
        [("pareto", "Share of Cumulative Revenue (Pareto)"), ("threshold", "Revenue Thresholds"),
         ("manual", "Manual Only")],
        string="Tier Rule",
        default="pareto",
        required=True,
        help="Pareto: customers ranked by revenue fall in tiers by their share of the cumulative total "
        "(80/15/5). Thresholds: by their own revenue. Manual: recomputation keeps every tier.",
    )
    ledger_tiers_computed_at = fields.Datetime(string="Tiers Last Computed", readonly=True)
    ledger_tier_window_months = fields.Integer(string="Revenue Window (Months)", default=12)
    ledger_lifecycle_new_days = fields.Integer(
        string="New For (Days)", default=90, help="A customer whose first invoice is this recent is new.")
    ledger_lifecycle_long_term_days = fields.Integer(
        string="Long-term After (Days)", default=730,
        help="An active customer whose first invoice is older than this is a long-term one.")
    ledger_lifecycle_dormant_days = fields.Integer(
        string="Dormant After (Days)", default=180, help="No invoice for this long: dormant.")
    ledger_lifecycle_lost_days = fields.Integer(
        string="Lost After (Days)", default=365, help="No invoice for this long: lost.")

    @api.constrains("ledger_tier_window_months", "ledger_lifecycle_new_days", "ledger_lifecycle_long_term_days",
                    "ledger_lifecycle_dormant_days", "ledger_lifecycle_lost_days")
    def _check_ledger_lifecycle_windows(self):
        for company in self:
            if not 1 <= company.ledger_tier_window_months <= 120:
                raise ValidationError(_("The revenue window is 1 to 120 months."))
            if not 0 < company.ledger_lifecycle_new_days < company.ledger_lifecycle_long_term_days:
                raise ValidationError(_("A customer is new for fewer days than it takes to become long-term."))
            if not 0 < company.ledger_lifecycle_dormant_days < company.ledger_lifecycle_lost_days:
                raise ValidationError(_("A customer becomes dormant before it is lost."))

    @api.constrains("ledger_match_threshold", "ledger_match_margin", "ledger_tolerance_percent",
                    "ledger_tolerance_amount")
    def _check_ledger_match_settings(self):
        for company in self:
            if not 0.5 <= company.ledger_match_threshold <= 1:
                raise ValidationError(_("The automatic threshold must lie between 0.5 and 1."))
            if not 0 <= company.ledger_match_margin <= 0.5:
                raise ValidationError(_("The lead over the next candidate must lie between 0 and 0.5."))
            if not 0 <= company.ledger_tolerance_percent <= 10 or company.ledger_tolerance_amount < 0:
                raise ValidationError(_("Tolerances are positive, and at most 10%."))

    # the credit score (models/customer_ledger_credit_score.py)
    ledger_score_window_months = fields.Integer(string="Score Window (Months)", default=12)
    ledger_score_weight_days_late = fields.Integer(string="Weight: Days Late", default=30)
    ledger_score_weight_on_time = fields.Integer(string="Weight: Paid on Time", default=25)
    ledger_score_weight_worst = fields.Integer(string="Weight: Worst Overdue", default=15)
    ledger_score_weight_dso = fields.Integer(string="Weight: DSO Trend", default=10)
    ledger_score_weight_returns = fields.Integer(string="Weight: Disputes and Returns", default=10)
    ledger_score_weight_tenure = fields.Integer(string="Weight: Tenure", default=10)
    ledger_score_days_late_zero = fields.Integer(
        string="Days Late for Zero", default=60, help="Paying this many days late on average scores no points.")
    ledger_score_worst_zero = fields.Integer(
        string="Worst Overdue for Zero", default=120, help="An item this many days overdue scores no points.")
    ledger_score_dso_rise_zero = fields.Integer(
        string="DSO Rise for Zero", default=30, help="DSO up by this many days in 90 days scores no points.")
    ledger_score_returns_zero = fields.Integer(
        string="Returns Share for Zero (%)", default=20,
        help="Credit notes and disputed items worth this share of the invoicing score no points.")
    ledger_score_tenure_full = fields.Integer(
        string="Tenure for Full Points (Months)", default=36)

    def _ledger_score_params(self):
        self.ensure_one()
        return {
            "weights": {
                "days_late": self.ledger_score_weight_days_late, "on_time": self.ledger_score_weight_on_time,
                "worst": self.ledger_score_weight_worst, "dso": self.ledger_score_weight_dso,
                "returns": self.ledger_score_weight_returns, "tenure": self.ledger_score_weight_tenure,
            },
            "days_late_zero": self.ledger_score_days_late_zero,
            "worst_zero": self.ledger_score_worst_zero,
            "dso_rise_zero": self.ledger_score_dso_rise_zero,
            "returns_zero": self.ledger_score_returns_zero,
            "tenure_full": self.ledger_score_tenure_full,
        }

    @api.constrains("ledger_score_window_months", "ledger_score_weight_days_late", "ledger_score_weight_on_time",
                    "ledger_score_weight_worst", "ledger_score_weight_dso", "ledger_score_weight_returns",
                    "ledger_score_weight_tenure", "ledger_score_days_late_zero", "ledger_score_worst_zero",
                    "ledger_score_dso_rise_zero", "ledger_score_returns_zero", "ledger_score_tenure_full")
    def _check_ledger_score_params(self):
        for company in self:
            params = company._ledger_score_params()
            weights = params.pop("weights")
            if min(weights.values()) < 0 or sum(weights.values()) != 100:
                raise ValidationError(_("The credit score's weights are not negative and add up to 100 (now %s).",
                                  sum(weights.values())))
            if min(params.values()) <= 0 or not 1 <= company.ledger_score_window_months <= 120:
                raise ValidationError(_("The credit score's limits are above zero, its window 1 to 120 months."))

    # payment reminders (models/customer_ledger_reminder.py)
    ledger_reminder_policy_id = fields.Many2one(
        "customer.ledger.reminder.policy", string="Default Reminder Policy", ondelete="restrict",
        check_company=True,
        default=lambda self: self.env.ref("customer_ledger.reminder_policy_standard", raise_if_not_found=False),
        domain="['|', ('company_id', '=', False), ('company_id', '=', id)]",
        help="The payment reminders of customers whose tier has no policy of its own. Empty: none.",
    )
    ledger_reminder_auto_send = fields.Boolean(
        string="Send Reminders Automatically", default=False,
        help="The daily run sends the payment reminders it prepares. Unticked (the default), they wait as drafts "
        "for an accountant to send or skip.",
    )

    @api.model
    def _ledger_default_reminder_policies(self):
        """Give the shipped Standard policy to companies without a default one (at installation)."""
        policy = self.env.ref("customer_ledger.reminder_policy_standard", raise_if_not_found=False)
        if policy:
            self.search([("ledger_reminder_policy_id", "=", False)]).write({"ledger_reminder_policy_id": policy.id})
