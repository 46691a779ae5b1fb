# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    ledger_exposure_quotations = fields.Boolean(related="company_id.ledger_exposure_quotations", readonly=False)
