# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import AccessError


class ResConfigSettings(models.TransientModel):
    _name = "res.config.settings"
    _inherit = ["res.config.settings", "customer.ledger.amount.guard"]
    _ledger_amount_fields = ("ledger_match_threshold", "ledger_match_margin", "ledger_tolerance_amount",
                             "ledger_tolerance_percent")

    ledger_auto_reconcile = fields.Boolean(related="company_id.ledger_auto_reconcile", readonly=False)
    ledger_match_threshold = fields.Float(related="company_id.ledger_match_threshold", readonly=False)
    ledger_match_margin = fields.Float(related="company_id.ledger_match_margin", readonly=False)
    ledger_oldest_first = fields.Boolean(related="company_id.ledger_oldest_first", readonly=False)
    ledger_tolerance_amount = fields.Monetary(related="company_id.ledger_tolerance_amount", readonly=False)
    ledger_tolerance_percent = fields.Float(related="company_id.ledger_tolerance_percent", readonly=False)
    ledger_writeoff_account_id = fields.Many2one(related="company_id.ledger_writeoff_account_id", readonly=False)
    ledger_tier_method = fields.Selection(related="company_id.ledger_tier_method", readonly=False)
    ledger_tier_window_months = fields.Integer(related="company_id.ledger_tier_window_months", readonly=False)
    ledger_lifecycle_new_days = fields.Integer(related="company_id.ledger_lifecycle_new_days", readonly=False)
    ledger_lifecycle_long_term_days = fields.Integer(related="company_id.ledger_lifecycle_long_term_days",
                                                     readonly=False)
    ledger_lifecycle_dormant_days = fields.Integer(related="company_id.ledger_lifecycle_dormant_days",
                                                   readonly=False)
    ledger_lifecycle_lost_days = fields.Integer(related="company_id.ledger_lifecycle_lost_days", readonly=False)
    ledger_credit_enforcement = fields.Selection(related="company_id.ledger_credit_enforcement", readonly=False)
    ledger_score_window_months = fields.Integer(related="company_id.ledger_score_window_months", readonly=False)
    ledger_score_weight_days_late = fields.Integer(related="company_id.ledger_score_weight_days_late", readonly=False)
    ledger_score_weight_on_time = fields.Integer(related="company_id.ledger_score_weight_on_time", readonly=False)
    ledger_score_weight_worst = fields.Integer(related="company_id.ledger_score_weight_worst", readonly=False)
    ledger_score_weight_dso = fields.Integer(related="company_id.ledger_score_weight_dso", readonly=False)
    ledger_score_weight_returns = fields.Integer(related="company_id.ledger_score_weight_returns", readonly=False)
    ledger_score_weight_tenure = fields.Integer(related="company_id.ledger_score_weight_tenure", readonly=False)
    ledger_score_days_late_zero = fields.Integer(related="company_id.ledger_score_days_late_zero", readonly=False)
    ledger_score_worst_zero = fields.Integer(related="company_id.ledger_score_worst_zero", readonly=False)
    ledger_score_dso_rise_zero = fields.Integer(related="company_id.ledger_score_dso_rise_zero", readonly=False)
    ledger_score_returns_zero = fields.Integer(related="company_id.ledger_score_returns_zero", readonly=False)
    ledger_score_tenure_full = fields.Integer(related="company_id.ledger_score_tenure_full", readonly=False)
    ledger_review_four_eyes = fields.Boolean(related="company_id.ledger_review_four_eyes", readonly=False)
    ledger_statement_aging_bounds = fields.Char(related="company_id.ledger_statement_aging_bounds", readonly=False)
    ledger_statement_frequency = fields.Selection(related="company_id.ledger_statement_frequency", readonly=False)
    ledger_statement_auto_send = fields.Boolean(related="company_id.ledger_statement_auto_send", readonly=False)
    ledger_statement_user_id = fields.Many2one(related="company_id.ledger_statement_user_id", readonly=False,
                                               domain="[('share', '=', False), ('company_ids', 'in', company_id)]")
    ledger_reminder_policy_id = fields.Many2one(related="company_id.ledger_reminder_policy_id", readonly=False)
    ledger_reminder_auto_send = fields.Boolean(related="company_id.ledger_reminder_auto_send", readonly=False)

    @api.model_create_multi
    def create(self, vals_list):
        settings = super().create(vals_list)
        settings._ledger_check_company()
        return settings

    def write(self, vals):
        result = super().write(vals)
        if "company_id" in vals:
            self._ledger_check_company()
        return result

    def _ledger_check_company(self):
        """The settings' related fields read and write their company as superuser: only one of
        the companies the user works in (what the ledger's records hold is checked by res.company)."""
        if self.env.su:
            return
        if self.company_id - self.env.companies:
            raise AccessError(_("Settings: you can only change the settings of the companies you are working in (%s).",
                                ", ".join(self.env.companies.mapped("name"))))
