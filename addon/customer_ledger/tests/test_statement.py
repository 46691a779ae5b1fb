# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tests.common import new_test_user

from .common import LedgerCreditCommon

FROM, TO = date(2026, 3, 1), date(2026, 3, 31)


@tagged("post_install", "-at_install")
class TestStatement(LedgerCreditCommon):
    """A customer with a history before, in and after March 2026, one of its contacts, a customer
    invoiced in a foreign currency, and the statements of account made of them."""

    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        common = {"company_id": cls.company.id, "company_ids": [(6, 0, cls.company.ids)]}
        cls.accountant = new_test_user(cls.env, login="stmt_accountant",
                                       groups="customer_ledger.group_reconciliation_accountant", **common)
        cls.account_manager = new_test_user(cls.env, login="stmt_account_manager",
                                            groups="account.group_account_manager", **common)
        cls.Statements = cls.env["customer.ledger.statement"]
        cls.customer = cls.make_customer("Statement Customer", email="accounts@statement-customer.example.com")
        cls.contact = cls.env["res.partner"].create({"name": "Buyer", "parent_id": cls.customer.id})
        # before the period: 1000 invoiced, 400 paid -> opening 600
        cls.inv_a = cls.invoice(cls.customer, "2026-01-15", "2026-02-14", 1000)
        cls.pay(cls.inv_a, "2026-02-20", 400)
        # in the period: +500, -100 (credit note), -200 (partial payment of A), +300 (the contact's), +50 (entry)
        cls.inv_b = cls.invoice(cls.customer, "2026-03-05", "2026-04-04", 500)
        cls.refund = cls.invoice(cls.customer, "2026-03-10", "2026-03-10", 100, move_type="out_refund")
        cls.pay(cls.inv_a, "2026-03-15", 200)
        cls.inv_d = cls.invoice(cls.contact, "2026-03-20", "2026-03-25", 300)
        cls.entry = cls.env["account.move"].create({"move_type": "entry", "date": "2026-03-25", "ref": "Fee",
                                                    "line_ids": [
            (0, 0, {"account_id": cls.company_data["default_account_receivable"].id, "partner_id": cls.contact.id,
                    "debit": 50.0, "credit": 0.0, "name": "Late fee"}),
            (0, 0, {"account_id": cls.company_data["default_account_revenue"].id, "debit": 0.0, "credit": 50.0,
                    "name": "Late fee"}),
        ]})
        cls.entry.action_post()
        # after the period: not on the March statement, not in its aging
        cls.inv_e = cls.invoice(cls.customer, "2026-04-10", "2026-05-10", 700)
        cls.pay(cls.inv_b, "2026-04-15")
        # a customer invoiced in gold: 1000 gold (500 in the company's currency), 300 gold paid
        cls.gold = cls.currency_data["currency"]
        cls.foreign = cls.make_customer("Gold Customer", email="accounts@gold-customer.example.com")
        cls.inv_gold = cls.foreign_invoice(cls.foreign, "2026-03-02", 1000)
        cls.pay(cls.inv_gold, "2026-03-12", 300)
        cls.quiet = cls.make_customer("Quiet Customer")

    @classmethod
    def foreign_invoice(cls, partner, invoice_date, amount, currency=None):
        move = cls.env["account.move"].create({
            "move_type": "out_invoice", "partner_id": partner.id, "invoice_date": invoice_date,
            "currency_id": (currency or cls.gold).id, "invoice_payment_term_id": False,
            "invoice_line_ids": [(0, 0, {"name": "Gold goods", "quantity": 1, "price_unit": amount, "tax_ids": []})],
        })
        move.action_post()
        return move

    def statement(self, partner=None, date_from=FROM, date_to=TO, user=None):
        return self.Statements.with_user(user or self.accountant).create({
            "partner_id": (partner or self.customer).id, "date_from": date_from, "date_to": date_to})

    def odoo_balance(self, partner, date_to, company=None):
        """Odoo's own balance of the customer's receivable items on ``date_to``."""
        groups = self.env["account.move.line"].read_group([
            ("partner_id", "child_of", partner.id), ("account_id.account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"), ("date", "<=", date_to),
            ("company_id", "=", (company or self.company).id)], ["balance:sum"], [])
        return groups[0]["balance"] or 0.0

    # ------------------------------------------------------------------
    # Figures
    # ------------------------------------------------------------------

    def test_figures(self):
        statement = self.statement()
        self.assertRegex(statement.name, r"^ST/2026/\d{5}$")
        self.assertEqual(statement.currency_id, self.company.currency_id)
        self.assertEqual((statement.opening_balance, statement.total_debit, statement.total_credit),
                         (600, 850, 300))
        self.assertEqual(statement.closing_balance, 1150)
        self.assertEqual(statement.closing_balance,
                         statement.opening_balance + statement.total_debit - statement.total_credit)
        self.assertAlmostEqual(statement.closing_balance, self.odoo_balance(self.customer, TO))
        lines = statement.line_ids
        self.assertEqual(lines.mapped("kind"), ["invoice", "credit_note", "payment", "invoice", "other"])
        self.assertEqual(lines.mapped("move_id"), self.inv_b | self.refund | lines[2].move_id | self.inv_d | self.entry)
        self.assertEqual(lines.mapped("balance"), [1100, 1000, 800, 1100, 1150])
        self.assertEqual((lines[2].credit, lines[2].debit), (200, 0))  # the partial payment in the period
        self.assertEqual(lines[0].date_maturity, date(2026, 4, 4))
        self.assertEqual(lines[4].reference, "Fee")

    def test_contact_counts_on_its_company(self):
        self.assertEqual(self.statement(self.contact).partner_id, self.customer)
        statement = self.statement()
        self.assertIn(self.inv_d, statement.line_ids.move_id)
        self.assertIn(self.entry, statement.line_ids.move_id)  # the line's partner is the contact itself
        self.assertEqual(self.entry.line_ids.filtered("debit").partner_id, self.contact)

    def test_closing_is_odoo_balance_today(self):
        today = fields.Date.context_today(self.customer)
        statement = self.statement(date_from=date(2026, 1, 1), date_to=today)
        self.assertEqual(statement.opening_balance, 0)
        self.assertAlmostEqual(statement.closing_balance, self.odoo_balance(self.customer, today))
        partners = (self.customer | self.contact).with_company(self.company)
        partners.invalidate_recordset(["credit"])  # not stored, without dependencies
        self.assertAlmostEqual(statement.closing_balance, sum(partners.mapped("credit")))
        self.assertAlmostEqual(statement.closing_balance, 1150 - 500 + 700)
        self.assertAlmostEqual(sum(statement.aging_ids.mapped("amount")), statement.closing_balance)

    def test_aging_adds_up_to_closing(self):
        statement = self.statement()
        self.assertEqual(statement.aging_ids.mapped("label"), ["Not Due", "1-30", "31-60", "61-90", "Over 90"])
        # B 500 not due; credit note -100 (21 days), D 300 (6 days), fee 50 (6 days); A 400 left (45 days):
        # the April payment of B does not count on 31 March
        self.assertEqual(statement.aging_ids.mapped("amount"), [500, 250, 400, 0, 0])
        self.assertEqual(sum(statement.aging_ids.mapped("amount")), statement.closing_balance)

    def test_aging_follows_configured_bounds(self):
        self.company.ledger_statement_aging_bounds = "15, 45"
        statement = self.statement()
        self.assertEqual(statement.aging_ids.mapped("label"), ["Not Due", "1-15", "16-45", "Over 45"])
        self.assertEqual(statement.aging_ids.mapped("amount"), [500, 350, 300, 0])
        for wrong in ("", "30,30", "0,30", "60,30", "a,b"):
            with self.assertRaises(ValidationError):
                self.company.ledger_statement_aging_bounds = wrong

    def test_foreign_currency_statement(self):
        statement = self.statement(self.foreign)
        self.assertEqual(statement.currency_id, self.gold)
        self.assertEqual((statement.opening_balance, statement.total_debit, statement.total_credit),
                         (0, 1000, 300))
        self.assertEqual(statement.closing_balance, 700)
        self.assertEqual(statement.line_ids.mapped("balance"), [1000, 700])
        self.assertEqual(sum(statement.aging_ids.mapped("amount")), 700)
        # a later period opens with what was open in gold
        later = self.statement(self.foreign, date(2026, 4, 1), date(2026, 4, 30))
        self.assertEqual((later.currency_id, later.opening_balance, later.closing_balance), (self.gold, 700, 700))

    def test_mixed_currencies_use_the_company_currency(self):
        self.invoice(self.foreign, "2026-03-20", "2026-04-20", 100)
        statement = self.statement(self.foreign)
        self.assertEqual(statement.currency_id, self.company.currency_id)
        self.assertAlmostEqual(statement.closing_balance, self.odoo_balance(self.foreign, TO))
        self.assertAlmostEqual(sum(statement.aging_ids.mapped("amount")), statement.closing_balance)

    def test_settled_history_keeps_a_foreign_statement(self):
        old = self.invoice(self.foreign, "2026-01-10", "2026-01-10", 80)
        self.pay(old, "2026-01-20")
        self.assertEqual(self.statement(self.foreign).currency_id, self.gold)
        self.invoice(self.foreign, "2026-02-10", "2026-02-10", 80)  # still open at the period's start
        self.assertEqual(self.statement(self.foreign).currency_id, self.company.currency_id)

    def test_generate_and_refresh(self):
        Statements = self.Statements.with_user(self.accountant)
        statements = Statements._ledger_generate(self.customer | self.contact | self.foreign, FROM, TO)
        self.assertEqual(len(statements), 2)
        self.assertEqual(statements.partner_id, self.customer | self.foreign)
        self.assertTrue(all(s.state == "draft" for s in statements))
        ours = statements.filtered(lambda s: s.partner_id == self.customer)
        self.assertEqual(ours.closing_balance, 1150)
        self.invoice(self.customer, "2026-03-30", "2026-04-30", 25)
        again = Statements._ledger_generate(self.customer, FROM, TO)
        self.assertEqual(again, ours)
        self.assertEqual(ours.closing_balance, 1175)
        self.invoice(self.customer, "2026-03-31", "2026-04-30", 5)
        ours.action_refresh()
        self.assertEqual((ours.closing_balance, len(ours.line_ids)), (1180, 7))
        ours.date_from = date(2026, 3, 16)  # a draft's new period is computed at once
        self.assertEqual(ours.opening_balance, 600 + 500 - 100 - 200)

    def test_figures_are_set_wise(self):
        """Computing the figures takes as many queries for one statement as for several."""
        statements = self.Statements.with_user(self.accountant)._ledger_generate(
            self.customer | self.foreign | self.quiet, FROM, TO)
        counts = []
        for batch in (statements[:1], statements):
            batch.env.flush_all()
            before = self.env.cr.sql_log_count
            batch._ledger_compute_figures()
            counts.append(self.env.cr.sql_log_count - before)
        self.assertEqual(counts[0], counts[1])
        self.assertEqual(sorted(statements.mapped("closing_balance")), [0, 700, 1150])

    def test_wizard_all_with_activity(self):
        wizard = self.env["customer.ledger.statement.wizard"].with_user(self.accountant).create({
            "date_from": FROM, "date_to": TO, "scope": "all"})
        action = wizard.action_generate()
        statements = self.Statements.search(action["domain"])
        self.assertIn(self.customer, statements.partner_id)
        self.assertIn(self.foreign, statements.partner_id)
        self.assertNotIn(self.quiet, statements.partner_id)
        self.assertNotIn(self.contact, statements.partner_id)
        wizard = wizard.create({"date_from": FROM, "date_to": TO, "scope": "partners",
                                "partner_ids": [(6, 0, self.quiet.ids)]})
        action = wizard.action_generate()
        quiet = self.Statements.browse(action["res_id"])
        self.assertEqual((quiet.partner_id, quiet.closing_balance, len(quiet.line_ids)), (self.quiet, 0, 0))
        self.assertEqual(sum(quiet.aging_ids.mapped("amount")), 0)

    # ------------------------------------------------------------------
    # States
    # ------------------------------------------------------------------

    def test_send_and_confirm(self):
        statement = self.statement()
        with self.assertRaises(UserError):
            statement.action_confirm()  # not sent yet
        statement.action_send()
        self.assertEqual(statement.state, "sent")
        with self.assertRaises(UserError):
            statement.action_send()
        with self.assertRaises(UserError):
            statement.action_refresh()  # drafts only
        statement.action_confirm()
        today = fields.Date.context_today(statement)
        self.assertEqual((statement.state, statement.confirmed_date, statement.confirmed_balance,
                          statement.confirmed_by), ("confirmed", today, 1150, self.accountant))
        for action in (statement.action_reset_draft, statement.action_dispute, statement.action_resolve,
                       statement.action_confirm):
            with self.assertRaises(UserError):
                action()
        with self.assertRaises(UserError):
            statement.unlink()
        customer = self.customer.with_user(self.ledger_user)
        self.assertEqual((customer.ledger_last_confirmed_date, customer.ledger_last_confirmed_balance),
                         (today, 1150))
        self.assertIn(statement, customer.ledger_statement_ids)
        self.assertIn(statement, self.contact.ledger_statement_ids)

    def test_dispute_and_resolve(self):
        statement = self.statement()
        statement.action_send()
        with self.assertRaises(UserError):
            statement.action_dispute()  # no comment
        with self.assertRaises(ValidationError):
            statement.action_dispute("Wrong", line_ids="all")
        other = self.statement(self.foreign)
        with self.assertRaises(ValidationError):
            statement.action_dispute("Wrong", line_ids=other.line_ids.ids)
        fee = statement.line_ids.filtered(lambda line: line.move_id == self.entry)
        first = statement.line_ids[0]
        # as the form saves it: only the lines' dispute marks change
        marks = {"disputed": True, "dispute_comment": "Goods returned"}
        statement.write({"line_ids": [Command.update(first.id, marks)]})
        for commands in ([Command.delete(first.id)], [Command.update(first.id, {"debit": 1})],
                         [Command.update(other.line_ids[0].id, {"disputed": True})]):
            with self.assertRaises(UserError):
                statement.write({"line_ids": commands})
        statement.action_dispute("We never agreed to a late fee", line_ids=fee.ids)
        self.assertEqual(statement.state, "disputed")
        self.assertEqual(statement.disputed_line_count, 2)
        self.assertEqual(fee.dispute_comment, "We never agreed to a late fee")
        self.assertEqual(first.dispute_comment, "Goods returned")
        with self.assertRaises(UserError):
            statement.line_ids[1].disputed = True  # no longer waiting for the customer's answer
        with self.assertRaises(UserError):
            statement.action_resolve()  # no outcome
        with self.assertRaises(UserError):
            statement.action_resolve("other")  # other needs a note
        with self.assertRaises(ValidationError):
            statement.action_resolve("refund")
        statement.action_resolve("credit_note", "Credit note for the late fee")
        self.assertEqual((statement.state, statement.resolution_outcome, statement.resolved_by),
                         ("resolved", "credit_note", self.accountant))
        with self.assertRaises(UserError):
            statement.action_reset_draft()

    def test_reset_draft_from_sent_only(self):
        statement = self.statement()
        with self.assertRaises(UserError):
            statement.action_reset_draft()
        statement.action_send()
        self.invoice(self.customer, "2026-03-30", "2026-04-30", 25)
        statement.action_reset_draft()
        self.assertEqual((statement.state, statement.closing_balance), ("draft", 1175))
        statement.unlink()

    def test_fields_set_by_steps_only(self):
        statement = self.statement()
        for values in ({"state": "confirmed"}, {"closing_balance": 1}, {"confirmed_balance": 1},
                       {"company_id": self.company_2.id}):
            with self.assertRaises(UserError):
                statement.write(values)
        with self.assertRaises(UserError):
            statement.line_ids[0].debit = 1
        with self.assertRaises(UserError):
            statement.line_ids[0].disputed = True  # draft: not sent yet
        statement.action_send()
        with self.assertRaises(UserError):
            statement.date_to = date(2026, 4, 30)
        with self.assertRaises(UserError):
            self.env["customer.ledger.statement.line"].with_user(self.accountant).create({
                "statement_id": statement.id, "debit": 1})

    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------

    def test_access_by_group(self):
        statement = self.statement()
        self.statement(user=self.account_manager).with_user(self.account_manager).action_send()
        for user in (self.ledger_user, self.credit_manager):
            as_user = statement.with_user(user)
            self.assertEqual(as_user.closing_balance, 1150)
            self.assertEqual(len(as_user.line_ids), 5)
            self.assertEqual(len(as_user.aging_ids), 5)
            with self.assertRaises(AccessError):
                as_user.action_send()
            with self.assertRaises(AccessError):
                self.statement(user=user)
            with self.assertRaises(AccessError):
                as_user.write({"note": "mine"})
            with self.assertRaises(AccessError):
                self.Statements.with_user(user)._ledger_generate(self.customer, FROM, TO)
        with self.assertRaises(AccessError):
            statement.with_user(self.robot).read(["closing_balance"])
        with self.assertRaises(AccessError):
            self.statement(user=self.robot)

    def test_companies_apart(self):
        Statements = self.Statements.with_company(self.company_2)
        other = Statements._ledger_generate(self.customer, FROM, TO, company=self.company_2)
        self.assertEqual((other.company_id, other.closing_balance, len(other.line_ids)), (self.company_2, 0, 0))
        self.assertEqual(other.currency_id, self.company_2.currency_id)
        ours = self.statement()
        self.assertEqual(self.Statements.with_user(self.accountant).search([("partner_id", "=", self.customer.id)]),
                         ours)
        with self.assertRaises(AccessError):
            other.with_user(self.accountant).read(["closing_balance"])
        with self.assertRaises(AccessError):
            other.aging_ids[:1].with_user(self.ledger_user).read(["amount"])
        self.assertNotIn(other, self.customer.with_user(self.ledger_user).ledger_statement_ids)
