# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    ledger_exposure_quotations = fields.Boolean(
        string="Quotations in Credit Exposure",
        default=True,
        help="Count quotations still valid (draft or sent, not past their expiration date) in a customer's "
        "credit exposure. Confirmed orders not yet invoiced always count.",
    )
