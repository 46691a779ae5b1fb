# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class CustomerLedgerCreditReport(models.Model):
    """The sales parts as columns of the exposure report. Inheriting the model here also makes Odoo call
    its init() when this module is installed or updated, which rebuilds the view with them."""

    _inherit = "customer.ledger.credit.report"

    quotations = fields.Monetary(string="Unconfirmed Orders", readonly=True)
    sale_to_invoice = fields.Monetary(string="Orders Not Invoiced", readonly=True)
