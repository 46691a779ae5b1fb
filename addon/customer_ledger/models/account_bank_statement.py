# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class AccountBankStatement(models.Model):
    _inherit = "account.bank.statement"

    # The statement's identity at its source (syncd sends a key per statement of a file: its
    # account, currency, id and date), so that a re-import or a later page joins it.
    ledger_import_key = fields.Char(
        string="Import Key",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Identity of the statement at its source. Lines of the same statement imported "
        "later join it; a re-import creates nothing.",
    )
    ledger_source_file = fields.Char(string="Source File", readonly=True, copy=False)

    _sql_constraints = [
        (
            "ledger_import_key_company_uniq",
            "unique(ledger_import_key, company_id)",
            "A bank statement with this import key already exists in this company.",
        ),
    ]
