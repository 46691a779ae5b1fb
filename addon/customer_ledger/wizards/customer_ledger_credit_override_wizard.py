# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..models.customer_ledger_profile import check_credit_manager


class CustomerLedgerCreditOverrideWizard(models.TransientModel):
    """A Credit Manager posts invoices that break their customers' credit, saying why."""

    _name = "customer.ledger.credit.override.wizard"
    _description = "Post with Credit Override"
    _inherit = ["customer.ledger.company.guard"]

    move_ids = fields.Many2many("account.move", string="Invoices", required=True,
                                domain=[("state", "=", "draft")])
    problems = fields.Text(compute="_compute_problems", string="Credit Problems")
    reason = fields.Text(required=True)

    @api.depends("move_ids")
    def _compute_problems(self):
        for wizard in self:
            # a batch of one customer shares its message: once
            wizard.problems = "\n\n".join(dict.fromkeys(wizard.move_ids._origin._ledger_credit_problems().values()))

    @api.model_create_multi
    def create(self, vals_list):
        check_credit_manager(self.env, _("Only Credit Managers override a customer's credit."))
        return super().create(vals_list)

    def action_post(self):
        self.ensure_one()
        if not self.reason or not self.reason.strip():
            raise UserError(_("Say why the credit is overridden."))
        moves = self.move_ids.filtered(lambda m: m.state == "draft")
        moves.with_context(ledger_credit_override=self.reason).action_post()
        return {"type": "ir.actions.act_window_close"}
