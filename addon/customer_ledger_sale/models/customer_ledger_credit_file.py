# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models

# sale_order.currency_rate is the rate from the company's currency to the order's (an order of 100 in a
# currency worth half the company's has a rate of 2): an order's amount in the company's currency is its
# amount divided by it, as sale's crm.team dashboard does. Zero or empty: the order is in the company's currency.
_TO_COMPANY = "COALESCE(NULLIF(o.currency_rate, 0), 1.0)"

# Quotations (draft or sent) not past their expiration date, where the company counts them.
EXPOSURE_QUOTATIONS = f"""
SELECT o.company_id, p.commercial_partner_id AS partner_id, o.amount_total / {_TO_COMPANY} AS amount
  FROM sale_order o
  JOIN res_partner p ON p.id = o.partner_id
  JOIN res_company c ON c.id = o.company_id
 WHERE o.state IN ('draft', 'sent') AND c.ledger_exposure_quotations
   AND (o.validity_date IS NULL OR o.validity_date >= CURRENT_DATE)
"""

# Confirmed orders' amount still to invoice (in the order's currency: the orders' total less their posted
# invoices), less what draft customer invoices made from them already bill: those count among the draft
# invoices. As sale's _get_partner_credit_warning_exclude_amount, a draft takes off at most what is left to
# invoice, and a draft credit note adds nothing back. A draft invoice line's total is converted to the order's
# currency through the line's own rate (balance over amount in currency) where the two currencies differ.
EXPOSURE_SALE_TO_INVOICE = f"""
SELECT o.company_id, p.commercial_partner_id AS partner_id,
       GREATEST(o.amount_to_invoice - GREATEST(COALESCE(drafts.amount, 0), 0), 0) / {_TO_COMPANY} AS amount
  FROM sale_order o
  JOIN res_partner p ON p.id = o.partner_id
  LEFT JOIN LATERAL (
      SELECT SUM(CASE WHEN m.move_type = 'out_refund' THEN -1 ELSE 1 END
                 * CASE WHEN m.currency_id = o.currency_id THEN l.price_total
                        ELSE COALESCE(l.price_total * ABS(l.balance) / NULLIF(ABS(l.amount_currency), 0), 0)
                             * {_TO_COMPANY} END) AS amount
        FROM sale_order_line sol
        JOIN sale_order_line_invoice_rel rel ON rel.order_line_id = sol.id
        JOIN account_move_line l ON l.id = rel.invoice_line_id
        JOIN account_move m ON m.id = l.move_id
       WHERE sol.order_id = o.id AND m.state = 'draft' AND m.move_type IN ('out_invoice', 'out_refund')
  ) AS drafts ON TRUE
 WHERE o.state = 'sale' AND o.amount_to_invoice > 0
"""


class CustomerLedgerCreditFile(models.Model):
    _inherit = "customer.ledger.credit.file"

    quotations = fields.Monetary(
        compute="_compute_exposure", currency_field="currency_id", string="Unconfirmed Orders",
        help="Quotations, draft or sent, not past their expiration date (unless the company leaves them out).")
    sale_to_invoice = fields.Monetary(
        compute="_compute_exposure", currency_field="currency_id", string="Orders Not Invoiced",
        help="What confirmed sales orders have left to invoice, less their draft invoices (counted as such).")

    @api.model
    def _ledger_exposure_parts(self):
        parts = super()._ledger_exposure_parts()
        parts.update(quotations=EXPOSURE_QUOTATIONS, sale_to_invoice=EXPOSURE_SALE_TO_INVOICE)
        return parts

    def _compute_exposure(self):
        self.env["sale.order"].flush_model(
            ["company_id", "partner_id", "state", "validity_date", "amount_total", "amount_to_invoice",
             "currency_id", "currency_rate"])
        self.env["sale.order.line"].flush_model(["order_id", "invoice_lines"])
        self.env["res.company"].flush_model(["ledger_exposure_quotations"])
        return super()._compute_exposure()

    def _ledger_confirmation_problem(self, orders):
        """Why confirming ``orders`` (quotations of this customer) breaks its credit, with by how much and who
        may approve; False when it does not. The exposure after confirming is this file's with these orders, in
        the company's currency, in place of all the customer's quotations: the others commit to nothing yet, and
        are checked when they are confirmed."""
        amount = self.currency_id.round(sum(order.amount_total / (order.currency_rate or 1.0) for order in orders))
        breach = self._ledger_credit_breach(orders, amount, self.exposure - self.quotations + amount)
        if not breach:
            return False
        if breach["on_hold"]:
            problem = _("%(customer)s is on credit hold (%(reason)s): %(orders)s of %(amount)s cannot be confirmed.",
                        orders=breach["documents"], **breach)
        else:
            problem = _("Confirming %(orders)s takes the exposure of %(customer)s to %(exposure)s, %(over)s over its "
                        "credit limit of %(limit)s.", orders=breach["documents"], **breach)
        return _("%(problem)s A Credit Manager may approve it with Confirm with Credit Override: %(managers)s.",
                 problem=problem, managers=breach["managers"])


class CustomerLedgerCreditHoldLog(models.Model):
    _inherit = "customer.ledger.credit.hold.log"

    sale_order_id = fields.Many2one("sale.order", string="Sales Order", ondelete="set null", readonly=True)
