# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models

from ..models.customer_ledger_profile import check_credit_manager


class CustomerLedgerCreditReviewApproveWizard(models.TransientModel):
    """The approver grants another limit than the one asked for: given here, at approval, by the
    approver alone (the review's approved limit is written by nobody else)."""

    _name = "customer.ledger.credit.review.approve.wizard"
    _description = "Approve Credit Review"
    _inherit = ["customer.ledger.company.guard", "customer.ledger.amount.guard"]
    _ledger_amount_fields = ("approved_limit",)

    review_id = fields.Many2one("customer.ledger.credit.review", required=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one(related="review_id.company_id", store=True)
    currency_id = fields.Many2one(related="review_id.currency_id")
    requested_limit = fields.Monetary(related="review_id.requested_limit")
    approved_limit = fields.Monetary(required=True, help="Zero: no limit.")

    @api.model_create_multi
    def create(self, vals_list):
        check_credit_manager(self.env, _("Only Credit Managers request, approve or reject credit reviews."))
        return super().create(vals_list)

    def action_approve(self):
        self.ensure_one()
        self.review_id.action_approve(self.approved_limit)
        return {"type": "ir.actions.act_window_close"}
