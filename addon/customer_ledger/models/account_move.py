# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models

from ..lib.matching import compact, number_key
from .customer_ledger_profile import check_credit_manager

_CUSTOMER_DOCUMENTS = ("out_invoice", "out_refund", "out_receipt")
_CREDIT_CHECKED = ("out_invoice", "out_receipt")  # what adds to a customer's exposure when posted


class AccountMove(models.Model):
    _inherit = "account.move"

    # The keys under which the matcher finds a customer document from a payment's text,
    # whatever its separators, case and zero padding: one btree index each, so that a
    # batch of bank lines finds its candidates with one indexed query.
    ledger_name_key = fields.Char(compute="_compute_ledger_keys", store=True, index="btree_not_null")
    ledger_number_key = fields.Char(compute="_compute_ledger_keys", store=True, index="btree_not_null")
    ledger_payref_key = fields.Char(compute="_compute_ledger_keys", store=True, index="btree_not_null")
    ledger_ref_key = fields.Char(compute="_compute_ledger_keys", store=True, index="btree_not_null")

    @api.depends("name", "payment_reference", "ref", "move_type")
    def _compute_ledger_keys(self):
        for move in self:
            customer = move.move_type in _CUSTOMER_DOCUMENTS
            name = move.name if customer and move.name and move.name != "/" else ""
            move.ledger_name_key = compact(name) or False
            move.ledger_number_key = number_key(name) or False
            move.ledger_payref_key = customer and compact(move.payment_reference) or False
            move.ledger_ref_key = customer and compact(move.ref) or False

    # ------------------------------------------------------------------
    # Credit enforcement: posting a customer invoice over the limit or on hold
    # ------------------------------------------------------------------

    ledger_credit_problem = fields.Text(
        compute="_compute_ledger_credit_problem",
        help="Why posting this invoice would break the customer's credit: over its limit, or on hold.")
    ledger_credit_blocked = fields.Boolean(compute="_compute_ledger_credit_problem")

    @api.depends("state", "move_type", "partner_id", "amount_total_signed")
    def _compute_ledger_credit_problem(self):
        for move in self:  # each as if posted alone
            problem = move._ledger_credit_problems().get(move) if move.state == "draft" and move.id else False
            move.ledger_credit_problem = problem or False
            move.ledger_credit_blocked = bool(problem) and move.company_id.ledger_credit_enforcement == "block"

    def _ledger_credit_problems(self):
        """{move: message} for the customer invoices among ``self`` whose posting breaks the credit of
        their customer: on hold, or its exposure once they are posted over the limit. Other draft
        invoices do not count here: they are checked when they are posted."""
        moves = self.filtered(lambda m: m.move_type in _CREDIT_CHECKED and m.commercial_partner_id
                              and m.company_id.currency_id.compare_amounts(m.amount_total_signed, 0) > 0)
        return self.env["customer.ledger.credit.file"]._ledger_credit_problems(
            moves, lambda move: (move.commercial_partner_id, move.company_id),
            lambda credit_file, batch: credit_file._ledger_posting_problem(batch))

    def _post(self, soft=True):
        problems = self._ledger_credit_problems()
        override = self.env["customer.ledger.credit.file"]._ledger_enforce(problems)
        posted = super()._post(soft=soft)
        for move, problem in problems.items():
            if move.state == "posted":  # an override's reason is kept in warn mode too
                move._ledger_log_credit_problem(problem, override)
        return posted

    def _ledger_log_credit_problem(self, problem, override_reason):
        """Keep, on the credit file and the invoice, that this invoice was posted over the customer's credit."""
        self.ensure_one()
        credit_file = self.env["customer.ledger.credit.file"].sudo()._for_partner(
            self.commercial_partner_id, self.company_id)
        if override_reason:
            body = _("Posted %(invoice)s over the customer's credit, overridden by %(user)s: %(reason)s",
                     invoice=self.name, user=self.env.user.name, reason=override_reason.strip())
        else:
            body = _("Posted %(invoice)s over the customer's credit (warning only): %(problem)s",
                     invoice=self.name, problem=problem)
        credit_file._ledger_log_over_credit(self, {"move_id": self.id}, problem, override_reason, body)

    def action_ledger_credit_override(self):
        """Open the override wizard for these blocked invoices (Credit Managers)."""
        check_credit_manager(self.env, _("Only Credit Managers override a customer's credit."))
        return {
            "type": "ir.actions.act_window",
            "name": _("Post with Credit Override"),
            "res_model": "customer.ledger.credit.override.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_move_ids": self.ids},
        }
