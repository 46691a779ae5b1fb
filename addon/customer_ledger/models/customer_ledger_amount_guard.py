# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, models
from odoo.exceptions import ValidationError

from ..lib.numbers import MAX_AMOUNT, check_number


class CustomerLedgerAmountGuard(models.AbstractModel):
    """Records whose float and monetary inputs are real numbers within range (``lib.numbers``):
    NaN, infinity or 1e300, typed, imported or sent over RPC, are refused with the field's name
    before the ORM rounds or stores them."""

    _name = "customer.ledger.amount.guard"
    _description = "Figures Within Range"

    # the model's float and monetary fields that people or RPC set
    _ledger_amount_fields = ()

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._ledger_check_amounts(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._ledger_check_amounts(vals)
        return super().write(vals)

    @api.model
    def _ledger_check_amounts(self, vals):
        """{field: the float stored} for the guarded fields in ``vals``; a ValidationError naming the
        first field whose value is not a finite number within range."""
        numbers = {}
        for name in self._ledger_amount_fields:
            if name not in vals:
                continue
            number, problem = check_number(vals[name])
            if problem:
                raise ValidationError(self._ledger_amount_message(name, vals[name], problem))
            numbers[name] = number
        return numbers

    @api.model
    def _ledger_amount_message(self, name, value, problem):
        field = self._fields[name]._description_string(self.env)
        shown = repr(value)[:40]
        if problem == "too_big":
            bound = f"{MAX_AMOUNT:,.0f}"  # outside _(): the term extractor cannot read an f-string
            return _("%(field)s: %(value)s is out of range (less than %(bound)s either way).",
                     field=field, value=shown, bound=bound)
        if problem == "not_finite":
            return _("%(field)s: %(value)s is not a finite number.", field=field, value=shown)
        return _("%(field)s: %(value)s is not a number.", field=field, value=shown)
