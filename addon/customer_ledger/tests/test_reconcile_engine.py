# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..models.account_bank_statement_line import MAX_ITEMS_PER_AMOUNT
from .common import LedgerSyncCommon


@tagged("post_install", "-at_install")
class TestLedgerReconcileShapes(LedgerSyncCommon):
    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        cls.company = cls.company_data["company"]
        cls.writeoff_account = cls.company_data["default_account_expense"]
        cls.company.write({"ledger_tolerance_amount": 5.0, "ledger_writeoff_account_id": cls.writeoff_account.id})

    def new_invoice(self, amount, move_type="out_invoice", partner=None, when="2026-11-01", **values):
        invoice = self.init_invoice(move_type, partner=partner or self.customer, amounts=[amount], taxes=[],
                                    invoice_date=fields.Date.from_string(when), **values)
        invoice.action_post()
        return invoice

    def import_and_match(self, key, amount, text="", **extra):
        self.push([self.line(key, amount, text, **extra)])
        line = self.lines_with_key(key)
        outcome = line.with_user(self.accountant)._ledger_match()[line.id]
        return line, outcome

    def assert_undo_restores(self, line, invoices):
        before = [(inv.payment_state, inv.amount_residual) for inv in invoices]
        self.assertTrue(line.is_reconciled)
        line.action_undo_reconciliation()
        self.assertFalse(line.is_reconciled)
        self.assertEqual(line.ledger_match_state, "new")
        for invoice, (state, residual) in zip(invoices, before, strict=True):
            self.assertEqual(invoice.payment_state, "not_paid", f"{invoice.name} was {state}, {residual}")
            self.assertEqual(invoice.amount_residual, invoice.amount_total)
        liquidity, suspense, other = line._seek_for_lines()
        self.assertTrue(suspense)
        self.assertFalse(other)

    def test_fee_short_payment_is_written_off(self):
        invoice = self.new_invoice(500.0)
        line, outcome = self.import_and_match("fee", "497.50", f"Payment {invoice.name}")
        self.assertEqual(outcome["state"], "reconciled")
        self.assertEqual(invoice.payment_state, "paid")
        writeoff = line.move_id.line_ids.filtered(lambda aml: aml.account_id == self.writeoff_account)
        self.assertEqual(writeoff.balance, 2.5)
        self.assertEqual(line.ledger_reconciled_how, "auto")
        self.assert_undo_restores(line, invoice)

    def test_overpayment_stays_as_customer_credit(self):
        invoice = self.new_invoice(300.0)
        line, outcome = self.import_and_match("over", "350.00", invoice.name,
                                              account_number="FR1420041010050500013M02606")
        self.assertEqual(outcome["state"], "reconciled")
        self.assertEqual(invoice.payment_state, "paid")
        credit = line.move_id.line_ids.filtered(
            lambda aml: aml.account_type == "asset_receivable" and not aml.reconciled)
        self.assertEqual(credit.balance, -50.0)
        self.assertEqual(credit.partner_id, self.customer)
        self.assert_undo_restores(line, invoice)

    def test_partial_payments(self):
        invoice = self.new_invoice(800.0)
        first, outcome = self.import_and_match("part1", "300.00", invoice.name,
                                               account_number="FR1420041010050500013M02606")
        self.assertEqual(outcome["state"], "reconciled")
        self.assertEqual((invoice.payment_state, invoice.amount_residual), ("partial", 500.0))
        second, outcome = self.import_and_match("part2", "500.00", invoice.name,
                                                account_number="FR1420041010050500013M02606")
        self.assertEqual(outcome["state"], "reconciled")
        self.assertEqual(invoice.payment_state, "paid")
        second.action_undo_reconciliation()
        self.assertEqual((invoice.payment_state, invoice.amount_residual), ("partial", 500.0))

    def test_several_invoices_and_a_credit_note(self):
        first, second = self.new_invoice(400.0), self.new_invoice(250.0)
        refund = self.new_invoice(50.0, move_type="out_refund")
        self.new_invoice(999.0)
        line, outcome = self.import_and_match("multi", "600.00", "remittance advice sent by mail",
                                              account_number="FR1420041010050500013M02606")
        self.assertEqual(outcome["state"], "reconciled", outcome["reason"])
        self.assertEqual(sorted(outcome["invoice_ids"]), sorted((first | second | refund).ids))
        self.assertEqual((first | second | refund).mapped("payment_state"), ["paid"] * 3)
        self.assert_undo_restores(line, first | second | refund)

    def test_foreign_currency_invoice(self):
        currency = self.currency_data["currency"]  # an invoice in another currency than the bank's
        invoice = self.new_invoice(200.0, currency=currency)
        in_company_currency = invoice.amount_residual_signed
        self.assertNotEqual(in_company_currency, 200.0)
        result = self.push([self.line("fx", f"{in_company_currency:.2f}", invoice.name)])
        line = self.lines_with_key("fx")
        outcome = line._ledger_match()[line.id]
        self.assertEqual(outcome["state"], "reconciled", outcome["reason"])
        self.assertEqual(invoice.payment_state, "paid")
        self.assertTrue(result["lines"]["fx"]["created"])

    def test_foreign_currency_line_pays_invoice_in_that_currency(self):
        currency = self.currency_data["currency"]
        invoice = self.new_invoice(300.0, currency=currency)
        company_amount = invoice.amount_residual_signed * 1.01  # the bank's rate differs a little
        self.push([self.line("fxline", f"{company_amount:.2f}", invoice.name,
                             foreign_currency=currency.name, amount_currency="300.00")])
        line = self.lines_with_key("fxline")
        self.assertEqual((line.foreign_currency_id, line.amount_currency), (currency, 300.0))
        outcome = line._ledger_match()[line.id]
        self.assertEqual(outcome["state"], "reconciled", outcome["reason"])
        self.assertEqual(invoice.payment_state, "paid")
        self.assert_undo_restores(line, invoice)

    def test_suggestion_accepted_and_payer_remembered(self):
        invoice = self.new_invoice(123.0)
        payer = {"partner_name": "LOTUS HANDEL", "account_number": "DE02120300000000202051"}
        line, outcome = self.import_and_match("memo1", "123.00", "thank you", **payer)
        self.assertEqual(outcome["state"], "suggested")
        self.assertEqual(line.ledger_suggested_move_ids, invoice)
        with self.assertRaises(AccessError):
            line.with_user(self.ledger_user).action_ledger_accept_suggestion()
        line.with_user(self.accountant).action_ledger_accept_suggestion()
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(line.ledger_reconciled_how, "accepted")
        remembered = self.env["customer.ledger.counterparty"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(remembered.account_number, "DE02120300000000202051")
        # next time the same payer is known, and a unique amount is enough
        second = self.new_invoice(77.0)
        line, outcome = self.import_and_match("memo2", "77.00", "thanks again", **payer)
        self.assertEqual(outcome["state"], "reconciled", outcome["reason"])
        self.assertIn("remembered", outcome["reason"])
        self.assertEqual(second.payment_state, "paid")

    def test_by_hand_partial_amount_writeoff_and_to_check(self):
        invoice, other = self.new_invoice(200.0), self.new_invoice(100.0)
        self.push([self.line("hand", "250.00", "see our email")])
        line = self.lines_with_key("hand")
        with self.assertRaises(AccessError):
            line.with_user(self.ledger_user).action_ledger_reconcile_wizard()
        action = line.with_user(self.accountant).action_ledger_reconcile_wizard()
        wizard = self.env["customer.ledger.reconcile.wizard"].with_user(self.accountant).browse(action["res_id"])
        wizard.partner_id = self.customer
        wizard.action_search()
        rows = wizard.line_ids.filtered(lambda row: row.move_id in invoice | other)
        self.assertEqual(len(rows), 2)
        rows.selected = True
        rows.filtered(lambda row: row.move_id == other).amount_to_pay = 40.0
        wizard.write({"writeoff_account_id": self.writeoff_account.id, "writeoff_label": "rounding",
                      "to_check": True})
        self.assertEqual(wizard.difference, 10.0)
        wizard.action_reconcile()
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual((other.payment_state, other.amount_residual), ("partial", 60.0))
        self.assertEqual(line.ledger_reconciled_how, "manual")
        self.assertTrue(line.move_id.to_check)
        writeoff = line.move_id.line_ids.filtered(lambda aml: aml.account_id == self.writeoff_account)
        self.assertEqual((writeoff.balance, writeoff.name), (-10.0, "rounding"))
        self.assert_undo_restores(line, invoice | other)

    def test_identical_invoices_are_paid_oldest_first(self):
        newer, older, oldest = (self.new_invoice(99.0, when=day) for day in ("2026-10-01", "2026-09-01", "2026-08-01"))
        payer = {"account_number": "FR1420041010050500013M02606"}
        self.push([self.line("sub1", "99.00", "subscription", **payer), self.line("sub2", "99.00", "abo", **payer)])
        lines = self.lines_with_key("sub1", "sub2")
        outcome = lines.with_user(self.accountant)._ledger_match()
        self.assertEqual([outcome[line.id]["state"] for line in lines], ["reconciled", "reconciled"])
        self.assertIn("oldest", outcome[lines[0].id]["reason"])
        self.assertEqual((oldest | older | newer).mapped("payment_state"), ["paid", "paid", "not_paid"])
        # a company that wants to see these first gets suggestions
        lines.action_undo_reconciliation()
        self.company.ledger_oldest_first = False
        outcome = lines.with_user(self.accountant)._ledger_match()
        self.assertEqual([outcome[line.id]["state"] for line in lines], ["suggested", "suggested"])
        self.assertEqual(lines[0].ledger_suggested_move_ids, oldest)
        self.assertEqual((oldest | older | newer).mapped("payment_state"), ["not_paid"] * 3)

    def test_mistyped_number_is_found_among_many_of_its_amount(self):
        subscriber = self.env["res.partner"].create({"name": "Subscriber"})
        for _i in range(MAX_ITEMS_PER_AMOUNT):
            self.new_invoice(49.0, partner=subscriber)
        # the newest: the oldest of an amount are candidates anyway
        meant = self.init_invoice("out_invoice", partner=subscriber, amounts=[49.0], taxes=[],
                                  invoice_date=fields.Date.from_string("2026-11-02"))
        meant.name = "INV/2026/90417"
        meant.action_post()
        line, outcome = self.import_and_match("typo", "49.00", "Invoice INV/2026/904177")
        self.assertEqual(outcome["state"], "suggested")  # 31 items of that amount: no certainty
        self.assertEqual(line.ledger_suggested_move_ids, meant)
        self.assertIn("one character off", outcome["reason"])

    def test_below_threshold_is_never_applied(self):
        self.company.ledger_auto_reconcile = False
        invoice = self.new_invoice(64.0)
        line, outcome = self.import_and_match("noauto", "64.00", invoice.name)
        self.assertEqual(outcome["state"], "suggested")
        self.assertEqual(invoice.payment_state, "not_paid")

    def test_scheduled_matching_covers_lines_from_anywhere(self):
        invoice = self.new_invoice(42.0)
        manual = self.env["account.bank.statement.line"].create({
            "journal_id": self.journal.id, "date": "2026-11-20", "amount": 42.0, "payment_ref": invoice.name,
        })
        self.assertEqual(manual.ledger_match_state, "new")
        self.env["account.bank.statement.line"]._cron_ledger_match()
        self.assertTrue(manual.is_reconciled)
        self.assertEqual(invoice.payment_state, "paid")

    def test_robot_reconciles_only_its_own_lines(self):
        invoice = self.new_invoice(31.0)
        other = self.env["account.bank.statement.line"].create({
            "journal_id": self.journal.id, "date": "2026-11-20", "amount": 31.0, "payment_ref": invoice.name,
        })
        with self.assertRaises(AccessError):
            self.Sync.with_user(self.robot).reconcile_statement_lines("1.0", [other.id])
        with self.assertRaises(AccessError):
            other.with_user(self.ledger_user).action_ledger_match()
        outcome = self.Sync.with_user(self.accountant).reconcile_statement_lines("1.0", [other.id])
        self.assertEqual(outcome[str(other.id)]["state"], "reconciled")
