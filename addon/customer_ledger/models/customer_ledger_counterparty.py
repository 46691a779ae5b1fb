# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from odoo.addons.base.models.res_bank import sanitize_account_number

from ..lib.matching import normalize_text


class CustomerLedgerCounterparty(models.Model):
    """What an accountant taught the matcher: this payer (bank account or name) is that
    customer. Learned when a transaction is reconciled by hand or a suggestion accepted."""

    _name = "customer.ledger.counterparty"
    _description = "Remembered Payer"
    _order = "last_used desc, id desc"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    account_number = fields.Char(index=True, help="The payer's bank account number, without spaces.")
    name_key = fields.Char(string="Payer Name", index=True, help="The payer's name as banks write it.")
    partner_id = fields.Many2one("res.partner", required=True, ondelete="cascade", check_company=True)
    times_used = fields.Integer(default=1)
    last_used = fields.Datetime(default=fields.Datetime.now)

    _sql_constraints = [
        ("account_or_name", "CHECK(account_number IS NOT NULL OR name_key IS NOT NULL)",
         "A remembered payer needs a bank account number or a name."),
    ]

    @api.model
    def _remember(self, company, partner, account_number, name):
        """Record (or refresh) that this payer is ``partner``."""
        account_number = sanitize_account_number(account_number) if account_number else False
        name_key = normalize_text(name) or False
        if not (account_number or name_key):
            return self.browse()
        domain = [("company_id", "=", company.id)]
        domain += [("account_number", "=", account_number)] if account_number else [("name_key", "=", name_key)]
        known = self.search(domain, limit=1)
        if known:
            known.write({"partner_id": partner.id, "times_used": known.times_used + 1,
                         "last_used": fields.Datetime.now(), "name_key": name_key or known.name_key})
            return known
        return self.create({"company_id": company.id, "partner_id": partner.id,
                            "account_number": account_number, "name_key": name_key})

    @api.model
    def _partners_for(self, company, payers):
        """``{(account, name): partner_id}`` for the payers remembered in ``company``."""
        accounts = {sanitize_account_number(a) for a, _n in payers if a}
        names = {normalize_text(n) for _a, n in payers if n}
        if not accounts and not names:
            return {}
        self.flush_model()
        self.env.cr.execute(
            """
            SELECT account_number, name_key, partner_id FROM customer_ledger_counterparty
             WHERE company_id = %s AND (account_number = ANY(%s) OR name_key = ANY(%s))
             ORDER BY last_used
            """,
            (company.id, list(accounts), list(names)),
        )
        by_account, by_name = {}, {}
        for account, name, partner_id in self.env.cr.fetchall():
            if account:
                by_account[account] = partner_id
            if name:
                by_name[name] = partner_id
        result = {}
        for account, name in payers:
            partner = by_account.get(sanitize_account_number(account) if account else None)
            partner = partner or by_name.get(normalize_text(name))
            if partner:
                result[(account, name)] = partner
        return result
