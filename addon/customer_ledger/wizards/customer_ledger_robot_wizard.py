# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError


class CustomerLedgerRobotWizard(models.TransientModel):
    """Create (or re-key) the syncd user: an internal user with the robot group only, and an
    API key shown once."""

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
    api_key = fields.Char(string="API Key", readonly=True, copy=False)

    def action_generate(self):
        self.ensure_one()
        self._generate_robot_key()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    @api.model
    def _robot_groups(self):
        return self.env.ref("base.group_user") | self.env.ref("customer_ledger.group_ledger_sync_robot")

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
            extra = user.groups_id - groups - groups.trans_implied_ids
            if extra:
                raise UserError(
                    _("User %(login)s already exists with other groups (%(groups)s); choose another login.",
                      login=login, groups=", ".join(extra.mapped("full_name")))
                )
            user.write(values)
        else:
            user = Users.create(dict(values, login=login))
        key = self.env["res.users.apikeys"].with_user(user).sudo()._generate(None, "syncd")
        self.write({"user_id": user.id, "api_key": key})
        return key
