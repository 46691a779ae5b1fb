# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, models
from odoo.exceptions import UserError


class CustomerLedgerStateGuard(models.AbstractModel):
    """Records whose fields freeze as their state moves on (credit reviews, statements of account;
    payment reminders use its state check):
    some fields are only ever set by the record's own steps, the others may be changed by hand in
    the states that allow it."""

    _name = "customer.ledger.state.guard"
    _description = "Fields Frozen by State"

    # set by the record's own steps (as superuser, after their checks), never by a plain write
    _ledger_system_fields = frozenset()
    # {state: the fields a user may change in it}
    _ledger_editable = {}
    # the record's own fields that the above govern (the others, chatter and activities, stay free)
    _ledger_guarded_fields = frozenset()

    def _ledger_check_state(self, states, action):
        """Raise unless the user may write these records and each is in one of ``states``: the check
        of a step (``action``, as in "it cannot be approved") before it moves them on."""
        self.check_access_rights("write")
        self.check_access_rule("write")
        labels = dict(self._fields["state"]._description_selection(self.env))
        for record in self:
            if record.state not in states:
                raise UserError(_("%(record)s is %(state)s: it cannot be %(action)s.", record=record.display_name,
                                  state=labels[record.state], action=action))

    def _ledger_check_editable(self, vals, system_message):
        """Refuse ``vals`` that set a system field (with ``system_message``) or a field the state of one
        of the records no longer lets change. The superuser passes."""
        if self.env.su:
            return
        if self._ledger_system_fields & set(vals):
            raise UserError(system_message)
        states = dict(self._fields["state"]._description_selection(self.env))
        for record in self:
            refused = (set(vals) & self._ledger_guarded_fields) - self._ledger_editable[record.state]
            if refused:
                raise UserError(_(
                    "%(record)s is %(state)s: %(fields)s can no longer be changed.", record=record.display_name,
                    state=states[record.state],
                    fields=", ".join(self._fields[name].string for name in sorted(refused))))
