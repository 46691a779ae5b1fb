# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models, tools

from .customer_ledger_credit_file import RISK_HIGH, RISK_LEVELS, RISK_MEDIUM


class CustomerLedgerCreditReport(models.Model):
    """Credit files with their exposure as of now, for pivot and graph views (exposure by risk level,
    by tier). A database view over the same exposure query the credit files read."""

    _name = "customer.ledger.credit.report"
    _description = "Credit Exposure Analysis"
    _auto = False
    _order = "exposure desc"
    _rec_name = "partner_id"
    _depends = {
        "account.move": ["state", "move_type", "amount_total_signed", "commercial_partner_id", "company_id"],
        "account.move.line": ["amount_residual", "reconciled", "parent_state", "account_id", "partner_id",
                              "company_id"],
        "customer.ledger.credit.file": ["partner_id", "company_id", "credit_limit", "on_hold", "score"],
        "customer.ledger.profile": ["partner_id", "company_id", "tier_id"],
    }

    credit_file_id = fields.Many2one("customer.ledger.credit.file", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    tier_id = fields.Many2one("customer.ledger.tier", readonly=True)
    risk_level = fields.Selection(RISK_LEVELS, readonly=True)
    on_hold = fields.Boolean(readonly=True)
    score = fields.Integer(string="Credit Score", readonly=True, group_operator="avg")
    credit_limit = fields.Monetary(readonly=True)
    receivable = fields.Monetary(string="Open Receivables", readonly=True)
    draft_invoiced = fields.Monetary(string="Draft Invoices", readonly=True)
    exposure = fields.Monetary(readonly=True)
    available = fields.Monetary(string="Available Credit", readonly=True)
    customer_count = fields.Integer(string="Customers", readonly=True)

    def init(self):
        Files = self.env["customer.ledger.credit.file"]
        parts = ", ".join(f"COALESCE(e.{name}, 0) AS {name}" for name in Files._ledger_exposure_parts())
        exposure = "COALESCE(e.exposure, 0)"
        tools.drop_view_if_exists(self.env.cr, self._table)
        query = f"""
            CREATE VIEW {self._table} AS
            SELECT f.id, f.id AS credit_file_id, f.partner_id, f.company_id, c.currency_id, pr.tier_id,
                   f.on_hold, f.score, f.credit_limit, {parts}, {exposure} AS exposure,
                   CASE WHEN f.credit_limit > 0 THEN f.credit_limit - {exposure} ELSE 0 END AS available,
                   CASE WHEN f.on_hold THEN 'critical'
                        WHEN COALESCE(f.credit_limit, 0) = 0 THEN 'low'
                        WHEN {exposure} > f.credit_limit THEN 'critical'
                        WHEN {exposure} >= f.credit_limit * {RISK_HIGH} THEN 'high'
                        WHEN {exposure} >= f.credit_limit * {RISK_MEDIUM} THEN 'medium'
                        ELSE 'low' END AS risk_level,
                   1 AS customer_count
              FROM customer_ledger_credit_file f
              JOIN res_company c ON c.id = f.company_id
              LEFT JOIN customer_ledger_profile pr ON pr.partner_id = f.partner_id AND pr.company_id = f.company_id
              LEFT JOIN ({Files._ledger_exposure_query()}) e
                     ON e.company_id = f.company_id AND e.partner_id = f.partner_id
        """
        # built from this module's constant SQL (and its extensions'): no value from outside
        self.env.cr.execute(query)  # pylint: disable=sql-injection
