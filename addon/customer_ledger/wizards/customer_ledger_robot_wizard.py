# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, sql


class CustomerLedgerRobotWizard(models.TransientModel):
    """Create (or re-key) the syncd user: a user with the robot group only (no user type, so
    not an employee), and an API key shown once and kept nowhere."""

    _name = "customer.ledger.robot.wizard"
    _description = "Create the syncd robot user and its API key"
    _inherit = ["customer.ledger.company.guard"]

    login = fields.Char(required=True, default="syncd")
    name = fields.Char(required=True, default="Ledger Sync Robot (syncd)")
    company_ids = fields.Many2many(
        "res.company",
        string="Companies",
        required=True,
        default=lambda self: self.env.company,
    )
    user_id = fields.Many2one("res.users", string="Robot User", readonly=True)

    def init(self):
        # versions before 17.0.1.0.0's "show once" kept the key in plaintext in this table
        if sql.column_exists(self.env.cr, self._table, "api_key"):
            self.env.cr.execute(SQL("ALTER TABLE %s DROP COLUMN api_key", SQL.identifier(self._table)))

    def action_generate(self):
        """Create the robot and its key; the key travels only in the answer, to the form
        that shows it (as Odoo's own ``res.users.apikeys.show`` does)."""
        self.ensure_one()
        key = self._generate_robot_key()
        return {
            "type": "ir.actions.act_window",
            "res_model": "customer.ledger.robot.key.show",
            "name": _("Sync Robot API Key"),
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_key": key,
                "default_login": self.user_id.login,
            },
        }

    @api.model
    def _robot_groups(self):
        return self.env.ref("customer_ledger.group_ledger_sync_robot")

    @api.model
    def _robot_groups_replaced(self):
        """Groups an older robot had and a re-key takes away (the robot was an employee)."""
        return self.env.ref("base.group_user")

    def _generate_robot_key(self):
        if not self.env.user.has_group("base.group_system"):
            raise AccessError(_("Only administrators can create the sync robot."))
        login = (self.login or "").strip()
        if not login:
            raise UserError(_("The robot needs a login."))
        Users = self.env["res.users"].sudo().with_context(no_reset_password=True)
        user = Users.with_context(active_test=False).search([("login", "=", login)])
        groups = self._robot_groups()
        values = {
            "name": self.name,
            "company_ids": [Command.set(self.company_ids.ids)],
            "company_id": self.company_ids[:1].id,
            "groups_id": [Command.set(groups.ids)],
            "active": True,
        }
        if user:
            # an old robot is robot + employee: re-keying it takes the employee rights away,
            # but a real user (with any other right) is never turned into a robot
            if groups - user.groups_id:
                extra = user.groups_id
            else:
                replaced = self._robot_groups_replaced()
                extra = user.groups_id - groups - groups.trans_implied_ids - replaced - replaced.trans_implied_ids
            if extra:
                raise UserError(
                    _("User %(login)s already exists with other groups (%(groups)s); choose another login.",
                      login=login, groups=", ".join(extra.mapped("full_name")))
                )
            user.write(values)
        else:
            user = Users.create(dict(values, login=login))
        key = self.env["res.users.apikeys"].with_user(user).sudo()._generate(None, "syncd")
        self.write({"user_id": user.id})
        return key


class CustomerLedgerRobotKeyShow(models.AbstractModel):
    """The robot's new API key, shown once: never stored (no table), filled from the
    action's context, like ``res.users.apikeys.show``."""

    _name = "customer.ledger.robot.key.show"
    _description = "Show the sync robot's API key"

    # the field 'id' is necessary for the onchange that returns the value of 'key'
    id = fields.Id()
    key = fields.Char(string="API Key", readonly=True)
    login = fields.Char(readonly=True)
