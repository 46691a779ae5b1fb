# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class AccountBankStatementLine(models.Model):
    _inherit = "account.bank.statement.line"

    # Community 17 has no ``unique_import_id``: this is the module's own, set by whoever
    # imports the line (syncd sends a deterministic key per transaction).
    ledger_import_key = fields.Char(
        string="Import Key",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Identity of the transaction at its source. A re-import of the same "
        "transaction finds this key and creates nothing.",
    )
    # The key is unique per company; the company lives on the move (``_inherits``), so it
    # is stored here too for the SQL constraint.
    ledger_company_id = fields.Many2one(
        related="move_id.company_id",
        store=True,
        string="Ledger Company",
    )
    ledger_feed = fields.Char(string="Feed", readonly=True, copy=False)
    ledger_source_file = fields.Char(string="Source File", readonly=True, copy=False)
    ledger_batch = fields.Char(string="Import Batch", readonly=True, copy=False)
    ledger_structured_ref = fields.Char(
        string="Structured Reference",
        readonly=True,
        copy=False,
        help="Creditor reference (ISO 11649 RF, QRR, ...) given by the bank.",
    )
    ledger_bank_ref = fields.Char(string="Bank Reference", readonly=True, copy=False)
    ledger_end_to_end_id = fields.Char(string="End-to-End Id", readonly=True, copy=False)
    ledger_raw_record = fields.Text(
        string="Source Record",
        readonly=True,
        copy=False,
        help="The transaction as the importer read it from its source, for audit.",
    )

    _sql_constraints = [
        (
            "ledger_import_key_company_uniq",
            "unique(ledger_import_key, ledger_company_id)",
            "A bank transaction with this import key already exists in this company.",
        ),
    ]
