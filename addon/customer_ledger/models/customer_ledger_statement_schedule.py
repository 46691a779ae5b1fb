# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from ..lib.statement_periods import FREQUENCIES
from .customer_ledger_tier import STATEMENT_FREQUENCIES


class CustomerLedgerStatementSchedule(models.Model):
    """A period for which the scheduled action has made a company's statements of one frequency:
    it is not run again, so that a draft an accountant deleted is not made again the next day."""

    _name = "customer.ledger.statement.schedule"
    _description = "Scheduled Statements Run"
    _order = "date_to desc, id desc"

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True, ondelete="cascade")
    frequency = fields.Selection([item for item in STATEMENT_FREQUENCIES if item[0] in FREQUENCIES],
                                 required=True, readonly=True)
    date_from = fields.Date(string="Period Start", required=True, readonly=True)
    date_to = fields.Date(string="Period End", required=True, readonly=True)

    _sql_constraints = [
        ("period_unique", "UNIQUE(company_id, frequency, date_from, date_to)",
         "The scheduled statements of a period are made once."),
    ]
