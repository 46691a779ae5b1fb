# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError


class CustomerLedgerCreditOverrideWizard(models.TransientModel):
    """Also confirms quotations that break their customers' credit."""

    _inherit = "customer.ledger.credit.override.wizard"

    move_ids = fields.Many2many(required=False)
    order_ids = fields.Many2many("sale.order", string="Quotations", domain=[("state", "in", ("draft", "sent"))])

    @api.depends("order_ids")
    def _compute_problems(self):
        result = super()._compute_problems()
        for wizard in self.filtered("order_ids"):
            problems = dict.fromkeys(wizard.order_ids._origin._ledger_credit_problems().values())
            wizard.problems = "\n\n".join(filter(None, [wizard.problems, *problems]))
        return result

    def action_confirm_orders(self):
        self.ensure_one()
        if not self.reason or not self.reason.strip():
            raise UserError(_("Say why the credit is overridden."))
        orders = self.order_ids.filtered(lambda o: o.state in ("draft", "sent"))
        orders.with_context(ledger_credit_override=self.reason).action_confirm()
        return {"type": "ir.actions.act_window_close"}
