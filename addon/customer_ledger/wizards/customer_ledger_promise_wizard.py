# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class CustomerLedgerPromiseWizard(models.TransientModel):
    """Record a customer's promise to pay: its payment reminders wait until the promised day has passed."""

    _name = "customer.ledger.promise.wizard"
    _description = "Promise to Pay"
    _inherit = ["customer.ledger.company.guard", "customer.ledger.amount.guard"]
    _check_company_auto = True
    _ledger_amount_fields = ("promise_amount",)

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, ondelete="cascade",
                                 check_company=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company,
                                 ondelete="cascade")
    currency_id = fields.Many2one(related="company_id.currency_id")
    promise_date = fields.Date(string="Pays By", required=True)
    promise_amount = fields.Monetary(string="Amount", currency_field="currency_id")
    promise_note = fields.Text(string="Note")

    def action_apply(self):
        self.ensure_one()
        credit_file = self.env["customer.ledger.credit.file"]._ledger_for_promise(self.partner_id, self.company_id)
        credit_file.action_record_promise(self.promise_date, self.promise_amount, self.promise_note)
        return {"type": "ir.actions.act_window_close"}
