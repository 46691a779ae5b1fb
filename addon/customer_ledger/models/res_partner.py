# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models

from .customer_ledger_profile import CUSTOMER_TYPES, LIFECYCLES

_LEDGER = "customer_ledger.group_ledger_user"


class ResPartner(models.Model):
    _inherit = "res.partner"

    ledger_source_id = fields.Many2one("customer.ledger.source", string="Customer Source")
    ledger_profile_ids = fields.One2many("customer.ledger.profile", "partner_id", string="Ledger Profiles",
                                         groups=_LEDGER)
    # the current company's profile, as shown on the customer's Ledger tab
    ledger_profile_id = fields.Many2one("customer.ledger.profile", compute="_compute_ledger_profile",
                                        groups=_LEDGER)
    ledger_tier_id = fields.Many2one(related="ledger_profile_id.tier_id", string="Tier", groups=_LEDGER)
    ledger_tier_locked = fields.Boolean(related="ledger_profile_id.tier_locked", groups=_LEDGER)
    ledger_revenue = fields.Monetary(related="ledger_profile_id.revenue", string="Revenue (Window)",
                                     currency_field="ledger_currency_id", groups=_LEDGER)
    ledger_currency_id = fields.Many2one(related="ledger_profile_id.currency_id", groups=_LEDGER)
    ledger_invoice_count = fields.Integer(related="ledger_profile_id.invoice_count", groups=_LEDGER)
    ledger_first_invoice_date = fields.Date(related="ledger_profile_id.first_invoice_date", groups=_LEDGER)
    ledger_last_invoice_date = fields.Date(related="ledger_profile_id.last_invoice_date", groups=_LEDGER)
    ledger_lifecycle = fields.Selection(LIFECYCLES, compute="_compute_ledger_profile", groups=_LEDGER)
    ledger_customer_type = fields.Selection(CUSTOMER_TYPES, compute="_compute_ledger_customer_type")

    @api.depends_context("company")
    @api.depends("ledger_profile_ids")
    def _compute_ledger_profile(self):
        company = self.env.company
        profiles = self.env["customer.ledger.profile"].search([
            ("partner_id", "in", self.commercial_partner_id.ids), ("company_id", "=", company.id)])
        by_partner = {profile.partner_id: profile for profile in profiles}
        for partner in self:
            profile = by_partner.get(partner.commercial_partner_id, profiles.browse())
            partner.ledger_profile_id = profile
            partner.ledger_lifecycle = profile.lifecycle or "potential"

    @api.depends("commercial_partner_id.is_company")
    def _compute_ledger_customer_type(self):
        for partner in self:
            partner.ledger_customer_type = "company" if partner.commercial_partner_id.is_company else "individual"

    def _ledger_profile(self, company=None):
        """The commercial partner's profile in ``company`` (default: the current one), made if missing."""
        self.ensure_one()
        company = company or self.env.company
        Profile = self.env["customer.ledger.profile"]
        partner = self.commercial_partner_id
        profile = Profile.search([("partner_id", "=", partner.id), ("company_id", "=", company.id)])
        if not profile:
            Profile._ledger_check_manager()
            profile = Profile.sudo().create({"partner_id": partner.id, "company_id": company.id}).sudo(False)
        return profile

    def _ledger_default_credit_limit(self):
        """Odoo's credit limit in the current company, else the default of the customer's tier."""
        self.ensure_one()
        if self.credit_limit:
            return self.credit_limit
        profile = self.env["customer.ledger.profile"].sudo().search([
            ("partner_id", "=", self.commercial_partner_id.id), ("company_id", "=", self.env.company.id)])
        return profile.tier_id.credit_limit

    def action_ledger_change_tier(self):
        self.ensure_one()
        profile = self._ledger_profile()
        return {
            "type": "ir.actions.act_window",
            "name": _("Change Tier"),
            "res_model": "customer.ledger.tier.change.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_profile_id": profile.id, "default_tier_id": profile.tier_id.id},
        }

    def write(self, vals):
        if "credit_limit" in vals:
            files = self.env["customer.ledger.credit.file"].sudo().search([
                ("partner_id", "in", self.commercial_partner_id.ids), ("company_id", "=", self.env.company.id)])
            files = files.filtered(lambda f: f.currency_id.compare_amounts(f.credit_limit, vals["credit_limit"]))
            if files:
                # the credit file owns the limit: only Credit Managers change it, and both stay in step
                files.sudo(False)._check_manager()
                files.with_context(ledger_from_partner=True).write({"credit_limit": vals["credit_limit"]})
        return super().write(vals)
