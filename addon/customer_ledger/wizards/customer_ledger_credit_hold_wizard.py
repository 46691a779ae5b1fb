# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class CustomerLedgerCreditHoldWizard(models.TransientModel):
    """Put a customer on hold, or release it, with the reason the log keeps."""

    _name = "customer.ledger.credit.hold.wizard"
    _description = "Credit Hold"
    _inherit = ["customer.ledger.company.guard"]

    credit_file_id = fields.Many2one("customer.ledger.credit.file", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="credit_file_id.company_id", store=True)
    action = fields.Selection([("hold", "Put on Hold"), ("release", "Release")], required=True)
    reason = fields.Text(required=True)

    def action_apply(self):
        self.ensure_one()
        if self.action == "hold":
            self.credit_file_id.action_hold(self.reason)
        else:
            self.credit_file_id.action_release(self.reason)
        return {"type": "ir.actions.act_window_close"}
