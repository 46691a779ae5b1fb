# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models

from odoo.addons.customer_ledger.models.customer_ledger_profile import check_credit_manager


class SaleOrder(models.Model):
    _inherit = "sale.order"

    ledger_credit_problem = fields.Text(
        compute="_compute_ledger_credit_problem",
        help="Why confirming this quotation would break the customer's credit: over its limit, or on hold.")
    ledger_credit_blocked = fields.Boolean(compute="_compute_ledger_credit_problem")

    @api.depends("state", "partner_id", "company_id", "amount_total", "currency_rate")
    def _compute_ledger_credit_problem(self):
        for order in self:  # each as if confirmed alone
            problem = order._ledger_credit_problems().get(order) if order.id else False
            order.ledger_credit_problem = problem or False
            order.ledger_credit_blocked = bool(problem) and order.company_id.ledger_credit_enforcement == "block"

    def _ledger_credit_problems(self):
        """{order: message} for the quotations among ``self`` whose confirmation breaks the credit of their
        customer: on hold, or its exposure once they are confirmed over the limit."""
        # an order paid in full (online, say) leaves nothing owed: it is not held back
        orders = self.filtered(lambda o: o.state in ("draft", "sent") and o.partner_id
                               and o.currency_id.compare_amounts(o.amount_total, 0) > 0
                               and o.currency_id.compare_amounts(o.amount_paid, o.amount_total) < 0)
        return self.env["customer.ledger.credit.file"]._ledger_credit_problems(
            orders, lambda order: (order.partner_id.commercial_partner_id, order.company_id),
            lambda credit_file, batch: credit_file._ledger_confirmation_problem(batch))

    def action_confirm(self):
        problems = self._ledger_credit_problems()
        override = self.env["customer.ledger.credit.file"]._ledger_enforce(problems)
        result = super().action_confirm()
        for order, problem in problems.items():
            if order.state == "sale":  # an override's reason is kept in warn mode too
                order._ledger_log_credit_problem(problem, override)
        return result

    def _ledger_log_credit_problem(self, problem, override_reason):
        """Keep, on the credit file and the order, that this order was confirmed over the customer's credit."""
        self.ensure_one()
        credit_file = self.env["customer.ledger.credit.file"].sudo()._for_partner(self.partner_id, self.company_id)
        if override_reason:
            body = _("Confirmed %(order)s over the customer's credit, overridden by %(user)s: %(reason)s",
                     order=self.name, user=self.env.user.name, reason=override_reason.strip())
        else:
            body = _("Confirmed %(order)s over the customer's credit (warning only): %(problem)s",
                     order=self.name, problem=problem)
        credit_file._ledger_log_over_credit(self, {"sale_order_id": self.id}, problem, override_reason, body)

    def action_ledger_credit_override(self):
        """Open the override wizard for these quotations (Credit Managers)."""
        check_credit_manager(self.env, _("Only Credit Managers override a customer's credit."))
        return {
            "type": "ir.actions.act_window",
            "name": _("Confirm with Credit Override"),
            "res_model": "customer.ledger.credit.override.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_ids": self.ids},
        }
