# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

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
