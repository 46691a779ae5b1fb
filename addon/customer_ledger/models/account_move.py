# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from ..lib.matching import compact, number_key

_CUSTOMER_DOCUMENTS = ("out_invoice", "out_refund", "out_receipt")


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
