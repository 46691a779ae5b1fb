# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

STATEMENT_FREQUENCIES = [
    ("none", "None"),
    ("weekly", "Weekly"),
    ("monthly", "Monthly"),
    ("quarterly", "Quarterly"),
]


class CustomerLedgerTier(models.Model):
    """A class of customers by value (A/B/C, VIP...), with the policies later features follow."""

    _name = "customer.ledger.tier"
    _description = "Customer Tier"
    _inherit = ["customer.ledger.amount.guard"]
    _order = "company_id, sequence, id"
    _ledger_amount_fields = ("revenue_share", "revenue_threshold", "credit_limit")

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Short code shown in lists, e.g. A, B, C or VIP.")
    sequence = fields.Integer(
        default=10,
        help="Order of the tiers, best first: revenue rules give a customer the first tier it qualifies for.",
    )
    color = fields.Integer()
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company,
                                 ondelete="cascade")
    currency_id = fields.Many2one(related="company_id.currency_id")
    automatic = fields.Boolean(
        default=True,
        help="Recomputation may give this tier. Untick for tiers given by hand only (VIP); "
        "customers in them should be locked.",
    )
    revenue_share = fields.Float(
        string="Cumulative Revenue Share (%)",
        default=100.0,
        help="Pareto rule: customers ranked by revenue, best first, fall in this tier while the "
        "revenue of those ranked before them is under this share of the total (A 80, B 95, C 100 "
        "for 80/15/5).",
    )
    revenue_threshold = fields.Monetary(
        currency_field="currency_id",
        help="Threshold rule: customers whose revenue over the window is at least this much.",
    )
    # policies that statements, reminders and credit files follow
    payment_term_id = fields.Many2one("account.payment.term", string="Default Payment Terms",
                                      check_company=True)
    credit_limit = fields.Monetary(string="Default Credit Limit", currency_field="currency_id")
    statement_frequency = fields.Selection(STATEMENT_FREQUENCIES, default="monthly", required=True)
    reminder_policy_id = fields.Many2one(
        "customer.ledger.reminder.policy", ondelete="restrict", check_company=True,
        domain="['|', ('company_id', '=', False), ('company_id', '=', company_id)]",
        help="The payment reminders its customers get. Empty: the company's default policy (Settings); "
        "No Reminders: none.")
    review_interval_months = fields.Integer(string="Credit Review Every (Months)", default=12)
    profile_count = fields.Integer(compute="_compute_profile_count", string="Customers")

    _sql_constraints = [
        ("code_company_uniq", "unique(code, company_id)", "A tier code is used once per company."),
    ]

    @api.constrains("code", "revenue_share", "revenue_threshold", "credit_limit", "review_interval_months")
    def _check_rule(self):
        for tier in self:
            if not re.fullmatch(r"[\w+\- ]{1,16}", tier.code or ""):
                raise ValidationError(_("A tier code is 1 to 16 letters, digits, spaces, + or -: not %r.", tier.code))
            if not 0 < tier.revenue_share <= 100:
                raise ValidationError(_("Tier %s: the revenue share lies above 0 and at most 100%%.", tier.code))
            if tier.revenue_threshold < 0 or tier.credit_limit < 0:
                raise ValidationError(_("Tier %s: thresholds and limits are not negative.", tier.code))
            if not 0 < tier.review_interval_months <= 120:
                raise ValidationError(_("Tier %s: a credit review falls due every 1 to 120 months.", tier.code))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if self._ledger_check_amounts(vals).get("credit_limit"):
                self._ledger_refuse_default_limit(self.env["res.company"].browse(vals.get("company_id"))
                                                  or self.env.company)
        return super().create(vals_list)

    def write(self, vals):
        if "credit_limit" in vals:
            limit = self._ledger_check_amounts(vals)["credit_limit"]
            for tier in self.filtered(lambda t: t.currency_id.compare_amounts(t.credit_limit, limit)):
                tier._ledger_refuse_default_limit(tier.company_id)
        return super().write(vals)

    @api.model
    def _ledger_refuse_default_limit(self, company):
        """A tier's default limit is the limit of its customers' new credit files: under four eyes,
        which gives limits through reviews only, it stays as it is (switch four eyes off to change it)."""
        if company.ledger_review_four_eyes and not self.env.su:
            raise UserError(_(
                "%s has four-eyes credit reviews: a tier's default credit limit would give new customers a "
                "limit nobody reviewed, so it is not changed while they are on.", company.name))

    def _compute_profile_count(self):
        counts = dict(self.env["customer.ledger.profile"]._read_group(
            [("tier_id", "in", self.ids)], ["tier_id"], ["__count"]))
        for tier in self:
            tier.profile_count = counts.get(tier, 0)

    @api.depends("code", "name")
    def _compute_display_name(self):
        for tier in self:
            tier.display_name = f"{tier.code} - {tier.name}" if tier.code and tier.name != tier.code else tier.name

    def action_view_customers(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_ledger.customer_ledger_profile_action")
        action["domain"] = [("tier_id", "=", self.id)]
        return action


class CustomerLedgerSource(models.Model):
    """Where a customer came from (website, referral, trade fair...)."""

    _name = "customer.ledger.source"
    _description = "Customer Source"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
