# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, models
from odoo.exceptions import AccessError


class CustomerLedgerCompanyGuard(models.AbstractModel):
    """For wizards and other transient models: every record they are given (by create, write or
    their defaults, ``active_ids`` included) must be one the user may read, of the companies they
    work in (``env.companies``). A wizard's related fields and the names of its many2one values
    are read as superuser, so a record given unchecked would be shown whatever its company."""

    _name = "customer.ledger.company.guard"
    _description = "Customer Ledger: records of the user's companies only"

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        self.new(values)._ledger_check_given(values)
        return values

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._ledger_check_given({name for vals in vals_list for name in vals})
        return records

    def write(self, vals):
        result = super().write(vals)
        self._ledger_check_given(vals)
        return result

    def _ledger_check_given(self, fnames):
        """Raise ``AccessError`` naming the field if a value of ``fnames`` is out of the user's reach."""
        if self.env.su:
            return
        for fname in fnames:
            field = self._fields.get(fname)
            if not field or field.type not in ("many2one", "many2many") or field.related:
                continue
            given = self.sudo()[fname]._origin.with_env(self.env)
            if given:
                self._ledger_check_reachable(field, given)

    @api.model
    def _ledger_check_reachable(self, field, records):
        companies = self.env.companies
        if records._name == "res.company":
            foreign = records - companies
        else:
            records.check_access_rights("read")
            records.check_access_rule("read")
            foreign = records.browse()
            if "company_id" in records._fields:
                foreign = records - records.filtered_domain(records._check_company_domain(companies))
        if foreign:
            raise AccessError(_(
                "%(field)s: records of companies you are not working in (%(companies)s) cannot be used here.",
                field=field.string, companies=", ".join(companies.mapped("name"))))
