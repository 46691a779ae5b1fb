# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError

from ..lib.matching import compact


class CustomerLedgerReconcileWizard(models.TransientModel):
    """Reconcile one bank transaction by hand: pick open items, pay some partially, write a
    difference off. The work is the statement line's ``_ledger_reconcile``."""

    _name = "customer.ledger.reconcile.wizard"
    _description = "Reconcile a Bank Transaction"
    _inherit = ["customer.ledger.company.guard"]
    _check_company_auto = True

    statement_line_id = fields.Many2one("account.bank.statement.line", required=True, readonly=True)
    company_id = fields.Many2one(related="statement_line_id.company_id", store=True)
    currency_id = fields.Many2one("res.currency", compute="_compute_transaction")
    amount = fields.Monetary(compute="_compute_transaction", string="Amount Received")
    payment_ref = fields.Char(related="statement_line_id.payment_ref")
    partner_id = fields.Many2one("res.partner", string="Customer", check_company=True,
                                 domain="[('parent_id', '=', False)]")
    search_text = fields.Char(string="Number or Reference")
    search_amount = fields.Monetary(string="Open Amount")
    line_ids = fields.One2many("customer.ledger.reconcile.wizard.line", "wizard_id", string="Open Items")
    selected_total = fields.Monetary(compute="_compute_difference", string="Selected")
    difference = fields.Monetary(compute="_compute_difference")
    writeoff_account_id = fields.Many2one(
        "account.account", string="Write Off To", check_company=True,
        domain="[('deprecated', '=', False), ('account_type', 'in', ('expense', 'income', 'income_other'))]",
        help="Where the difference goes. Without it, money left over stays as the customer's credit.",
    )
    writeoff_label = fields.Char(string="Write-off Reason")
    to_check = fields.Boolean(help="Reconcile, but flag the entry for review.")

    @api.depends("statement_line_id")
    def _compute_transaction(self):
        for wizard in self:
            amount, currency = wizard.statement_line_id._ledger_transaction()
            wizard.amount, wizard.currency_id = amount, currency

    @api.depends("line_ids.selected", "line_ids.amount_to_pay", "amount")
    def _compute_difference(self):
        for wizard in self:
            wizard.selected_total = sum(wizard.line_ids.filtered("selected").mapped("amount_to_pay"))
            wizard.difference = wizard.amount - wizard.selected_total

    @api.model
    def _open_for(self, st_line):
        st_line.ensure_one()
        if st_line.is_reconciled:
            raise UserError(_("%s is already reconciled.", st_line.display_name))
        wizard = self.create({
            "statement_line_id": st_line.id,
            "partner_id": st_line.partner_id.commercial_partner_id.id,
            "writeoff_account_id": st_line.company_id.ledger_writeoff_account_id.id,
        })
        wizard._load_items(preselect=st_line.ledger_suggested_line_ids)
        return wizard._reopen()

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": _("Reconcile %s", self.statement_line_id.payment_ref or ""),
        }

    def action_search(self):
        self._load_items()
        return self._reopen()

    def action_reconcile(self):
        self.ensure_one()
        chosen = self.line_ids.filtered("selected")
        amounts = {
            line.move_line_id.id: line.amount_to_pay
            for line in chosen
            if self.currency_id.compare_amounts(line.amount_to_pay, line.residual) != 0
        }
        self.statement_line_id._ledger_reconcile_by_hand(
            chosen.move_line_id, amounts, self.writeoff_account_id, self.writeoff_label, self.to_check)
        return {"type": "ir.actions.act_window_close"}

    def _load_items(self, preselect=None):
        """Show the open items of the chosen customer, those matching the search, and the
        suggestion; keep what is already selected."""
        self.ensure_one()
        st_line = self.statement_line_id
        kept = self.line_ids.filtered("selected")
        domain = [
            ("company_id", "=", st_line.company_id.id),
            ("account_id.account_type", "=", "asset_receivable"),
            ("reconciled", "=", False),
            ("parent_state", "=", "posted"),
            ("id", "not in", kept.move_line_id.ids),
        ]
        filters = []
        if self.partner_id:
            filters.append([("partner_id", "=", self.partner_id.id)])
        if self.search_text:
            key = compact(self.search_text)
            filters.append(["|", "|", ("move_id.ledger_name_key", "=like", f"%{key}%"),
                            ("move_id.ledger_payref_key", "=", key), ("move_id.ref", "ilike", self.search_text)])
        if self.search_amount:
            filters.append([("currency_id", "=", self.currency_id.id),
                            ("amount_residual_currency", "=", self.search_amount)])
        if preselect:
            filters.append([("id", "in", preselect.ids)])
        if not filters:
            filters.append([("amount_residual_currency", "=", self.amount)])
        items = self.env["account.move.line"]
        for extra in filters:
            items |= self.env["account.move.line"].search(domain + extra, limit=80, order="date, id")
        commands = [Command.unlink(line.id) for line in self.line_ids - kept]
        for aml in items:
            residual = st_line._ledger_residual_in_transaction_currency(
                aml.currency_id, aml.amount_residual, aml.amount_residual_currency, self.currency_id)
            selected = bool(preselect) and aml in preselect
            commands.append(Command.create({
                "move_line_id": aml.id, "residual": residual, "selected": selected, "amount_to_pay": residual,
            }))
        self.write({"line_ids": commands})


class CustomerLedgerReconcileWizardLine(models.TransientModel):
    _name = "customer.ledger.reconcile.wizard.line"
    _description = "Open Item to Reconcile"
    _inherit = ["customer.ledger.company.guard"]
    _check_company_auto = True
    _order = "selected desc, id"

    wizard_id = fields.Many2one("customer.ledger.reconcile.wizard", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="wizard_id.company_id", store=True)
    currency_id = fields.Many2one(related="wizard_id.currency_id")
    move_line_id = fields.Many2one("account.move.line", required=True, readonly=True, check_company=True)
    move_id = fields.Many2one(related="move_line_id.move_id", string="Document")
    partner_id = fields.Many2one(related="move_line_id.partner_id")
    date = fields.Date(related="move_line_id.date")
    date_maturity = fields.Date(related="move_line_id.date_maturity", string="Due")
    residual = fields.Monetary(string="Open Amount", readonly=True)
    selected = fields.Boolean()
    amount_to_pay = fields.Monetary(string="To Pay")

    @api.onchange("selected")
    def _onchange_selected(self):
        for line in self.filtered(lambda wl: wl.selected and not wl.amount_to_pay):
            line.amount_to_pay = line.residual
