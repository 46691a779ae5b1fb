# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

REMINDER_ACTIONS = [("none", "None"), ("call", "Schedule a Call"), ("hold", "Put on Credit Hold")]


def reached_level(days_past_due, levels):
    """The highest of ``levels``, ``(days, key)`` pairs, that an invoice ``days_past_due`` days past
    its due date (negative before it) has reached, or None. A level of negative days is a courtesy
    reminder before the due date: it is reached from that many days before the due date until the due
    date itself, never once the invoice is overdue (it would announce as due what is already late)."""
    reached = None
    for days, key in sorted(levels, key=lambda level: level[0]):
        if days <= days_past_due and (days >= 0 or days_past_due <= 0):
            reached = (days, key)
    return reached


class CustomerLedgerReminderPolicy(models.Model):
    """Which payment reminders customers get, and when: a courtesy reminder before the due date and
    overdue levels after it. Tiers choose a policy; the company's default covers the others."""

    _name = "customer.ledger.reminder.policy"
    _description = "Payment Reminder Policy"
    _order = "name, id"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", help="Empty: the policy serves every company.")
    level_ids = fields.One2many("customer.ledger.reminder.level", "policy_id", string="Levels", copy=True)
    note = fields.Text(translate=True)


class CustomerLedgerReminderLevel(models.Model):
    """One reminder of a policy: so many days from the due date, its email and what else it does."""

    _name = "customer.ledger.reminder.level"
    _description = "Payment Reminder Level"
    _order = "policy_id, days, id"

    policy_id = fields.Many2one("customer.ledger.reminder.policy", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="policy_id.company_id", store=True)
    name = fields.Char(required=True, translate=True)
    days = fields.Integer(
        required=True,
        help="Days from the due date: negative for a courtesy reminder before it (-3), positive once the invoice "
        "is overdue (7, 21, 45). An invoice gets the highest level it has reached, once.")
    mail_template_id = fields.Many2one(
        "mail.template", string="Email Template", required=True, ondelete="restrict",
        domain=[("model", "=", "customer.ledger.reminder")])
    action = fields.Selection(
        REMINDER_ACTIONS, default="none", required=True,
        help="Done once per reminder sent at this level. Schedule a Call: a call activity for the customer's "
        "salesperson, else its credit reviewer, else a Credit Manager or accountant of the company. Put on Credit "
        "Hold: the customer's credit file goes on hold, in its credit log.")

    _sql_constraints = [
        ("days_policy_uniq", "unique(policy_id, days)", "A policy has one level for a given number of days."),
    ]

    @api.constrains("days")
    def _check_days(self):
        for level in self:
            if not -90 <= level.days <= 3650:
                raise ValidationError(_("A reminder level lies between 90 days before the due date and 3650 days "
                                        "after it (not %s).", level.days))

    @api.depends("name", "days")
    def _compute_display_name(self):
        for level in self:
            when = _("%s days before due", -level.days) if level.days < 0 else _("+%s days", level.days)
            level.display_name = f"{level.name} ({when})" if level.name else when
