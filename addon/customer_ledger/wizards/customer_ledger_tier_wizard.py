# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError


class CustomerLedgerTierRecomputeWizard(models.TransientModel):
    """Recompute tiers and lifecycles: preview the moves ("23 customers A to B"), then apply."""

    _name = "customer.ledger.tier.recompute.wizard"
    _description = "Recompute Customer Tiers"
    _inherit = ["customer.ledger.company.guard"]

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company,
                                 domain=lambda self: [("id", "in", self.env.companies.ids)])
    reason = fields.Char(help="Kept in the tier history of every customer who moves.")
    state = fields.Selection([("draft", "Draft"), ("preview", "Preview"), ("done", "Done")], default="draft")
    line_ids = fields.One2many("customer.ledger.tier.recompute.line", "wizard_id", string="Moves", readonly=True)
    customer_count = fields.Integer(string="Customers", readonly=True)
    lifecycle_change_count = fields.Integer(string="Lifecycle Changes", readonly=True)
    change_count = fields.Integer(string="Tier Changes", readonly=True)

    def action_preview(self):
        self.ensure_one()
        Profile = self.env["customer.ledger.profile"]
        Profile._ledger_check_manager()
        preview = Profile.sudo()._ledger_preview(self.company_id)
        self.line_ids = [fields.Command.clear()] + [
            fields.Command.create({"old_tier_id": old, "new_tier_id": new, "count": count})
            for old, new, count in preview["moves"]
        ]
        self.write({
            "state": "preview",
            "customer_count": preview["customers"],
            "lifecycle_change_count": preview["lifecycle_changes"],
            "change_count": sum(count for _old, _new, count in preview["moves"]),
        })
        return self._reopen()

    def action_apply(self):
        self.ensure_one()
        if self.state != "preview":
            raise UserError(_("Preview the recomputation before applying it."))
        Profile = self.env["customer.ledger.profile"]
        Profile._ledger_check_manager()
        reason = self.reason or _("Recomputed by %s.", self.env.user.name)
        Profile._ledger_recompute(self.company_id, reason=reason)
        self.state = "done"
        return self._reopen()

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "name": _("Recompute Customer Tiers"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }


class CustomerLedgerTierRecomputeLine(models.TransientModel):
    _name = "customer.ledger.tier.recompute.line"
    _description = "Customer Tier Move"
    _inherit = ["customer.ledger.company.guard"]
    _check_company_auto = True
    _order = "count desc"

    wizard_id = fields.Many2one("customer.ledger.tier.recompute.wizard", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="wizard_id.company_id", store=True)
    old_tier_id = fields.Many2one("customer.ledger.tier", string="From", check_company=True)
    new_tier_id = fields.Many2one("customer.ledger.tier", string="To", check_company=True)
    count = fields.Integer(string="Customers")
    summary = fields.Char(compute="_compute_summary")

    @api.depends("old_tier_id", "new_tier_id", "count")
    def _compute_summary(self):
        for line in self:
            line.summary = _("%(count)s customers %(old)s to %(new)s", count=line.count,
                             old=line.old_tier_id.code or _("none"), new=line.new_tier_id.code or _("none"))


class CustomerLedgerTierChangeWizard(models.TransientModel):
    """Give a customer a tier by hand, with the reason the history keeps."""

    _name = "customer.ledger.tier.change.wizard"
    _description = "Change Customer Tier"
    _inherit = ["customer.ledger.company.guard"]
    _check_company_auto = True

    profile_id = fields.Many2one("customer.ledger.profile", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="profile_id.company_id", store=True)
    tier_id = fields.Many2one("customer.ledger.tier", string="New Tier", required=True, check_company=True,
                              domain="[('company_id', '=', company_id)]")
    lock = fields.Boolean(string="Lock the Tier", default=True,
                          help="Recomputation keeps a locked tier (VIP customers, say).")
    reason = fields.Text(required=True)

    def action_apply(self):
        self.ensure_one()
        if self.tier_id.company_id != self.profile_id.company_id:
            raise UserError(_("Choose a tier of %s.", self.profile_id.company_id.name))
        self.profile_id.with_context(ledger_tier_reason=self.reason).write(
            {"tier_id": self.tier_id.id, "tier_locked": self.lock})
        return {"type": "ir.actions.act_window_close"}
