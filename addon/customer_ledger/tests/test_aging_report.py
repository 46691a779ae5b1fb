# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from lxml import html

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import BaseCase, Form, HttpCase, tagged
from odoo.tests.common import new_test_user

from ..models.customer_ledger_aging import aging_bucket, aging_thresholds
from ..models.customer_ledger_credit_file import AGING_BUCKETS
from .common import LedgerCreditCommon

D = date(2026, 3, 31)
REPORT = "customer_ledger.customer_ledger_aging_report_action"


@tagged("post_install", "-at_install")
class TestAgingBucketFunctions(BaseCase):
    """The buckets as plain functions: the same index as SQL's width_bucket over the thresholds."""

    def test_buckets(self):
        self.assertEqual(aging_thresholds([30, 60, 90]), [1, 31, 61, 91])
        cases = {-10: 0, 0: 0, 1: 1, 30: 1, 31: 2, 60: 2, 61: 3, 90: 3, 91: 4, 400: 4}
        self.assertEqual({days: aging_bucket(days, [30, 60, 90]) for days in cases}, cases)
        self.assertEqual([aging_bucket(days, [15]) for days in (0, 1, 15, 16)], [0, 1, 1, 2])


@tagged("post_install", "-at_install")
class TestAgingReport(LedgerCreditCommon):
    """Three customers of the company on 31 March 2026: Alpha (tier A) with partial payments
    before and after the date, a credit note and a contact's items; Beta (tier B) with an old
    invoice, a payment not applied yet and an invoice in gold; Gamma (no tier) with an invoice
    after the date. A customer of the second company stays out."""

    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        common = {"company_id": cls.company.id, "company_ids": [(6, 0, cls.company.ids)]}
        cls.accountant = new_test_user(cls.env, login="aging_accountant",
                                       groups="customer_ledger.group_reconciliation_accountant", **common)
        cls.Tiers = cls.env["customer.ledger.tier"]
        cls.tier_a = cls.Tiers.create({"code": "A", "name": "Key", "sequence": 10, "automatic": False,
                                       "company_id": cls.company.id})
        cls.tier_b = cls.Tiers.create({"code": "B", "name": "Regular", "sequence": 20, "automatic": False,
                                       "company_id": cls.company.id})
        cls.alpha = cls.make_customer("Alpha Trading")
        cls.beta = cls.make_customer("Beta Stores")
        cls.gamma = cls.make_customer("Gamma Works")
        for customer, tier in ((cls.alpha, cls.tier_a), (cls.beta, cls.tier_b)):
            cls.env["customer.ledger.profile"].create({
                "partner_id": customer.id, "company_id": cls.company.id, "tier_id": tier.id})
        # Alpha: 1000 due 14 Feb, 400 paid before the date and 200 after: 600 open, 45 days late
        cls.inv_1 = cls.invoice(cls.alpha, "2026-01-15", "2026-02-14", 1000)
        cls.pay(cls.inv_1, "2026-02-20", 400)
        cls.pay(cls.inv_1, "2026-04-15", 200)
        cls.invoice(cls.alpha, "2026-03-05", "2026-04-04", 500)  # not due
        cls.invoice(cls.alpha, "2026-03-10", "2026-03-10", 100, move_type="out_refund")  # -100, 21 days
        cls.contact = cls.env["res.partner"].create({"name": "Alpha Buyer", "parent_id": cls.alpha.id})
        cls.invoice(cls.contact, "2026-03-20", "2026-03-25", 300)  # 6 days
        fee = cls.env["account.move"].create({"move_type": "entry", "date": "2026-03-25", "line_ids": [
            (0, 0, {"account_id": cls.company_data["default_account_receivable"].id, "partner_id": cls.contact.id,
                    "debit": 50.0, "credit": 0.0, "name": "Late fee"}),
            (0, 0, {"account_id": cls.company_data["default_account_revenue"].id, "debit": 0.0, "credit": 50.0,
                    "name": "Late fee"}),
        ]})
        fee.action_post()  # on the contact itself, 6 days
        # Beta: 800 due 1 Dec 2025 (120 days), 150 paid on 1 March and not applied (30 days),
        # 1000 gold (500) on 2 March with 300 gold (150) paid: 350 open, 29 days
        cls.invoice(cls.beta, "2025-11-01", "2025-12-01", 800)
        cls.unapplied = cls.env["account.payment"].create({
            "payment_type": "inbound", "partner_type": "customer", "partner_id": cls.beta.id, "amount": 150,
            "date": "2026-03-01"})
        cls.unapplied.action_post()
        cls.gold = cls.currency_data["currency"]
        gold_invoice = cls.env["account.move"].create({
            "move_type": "out_invoice", "partner_id": cls.beta.id, "invoice_date": "2026-03-02",
            "currency_id": cls.gold.id, "invoice_payment_term_id": False,
            "invoice_line_ids": [(0, 0, {"name": "Gold goods", "quantity": 1, "price_unit": 1000, "tax_ids": []})],
        })
        gold_invoice.invoice_date_due = "2026-03-02"
        gold_invoice.action_post()
        cls.pay(gold_invoice, "2026-03-12", 300)
        # Gamma: 250 due 3 March (28 days); 700 invoiced after the date
        cls.invoice(cls.gamma, "2026-02-01", "2026-03-03", 250)
        cls.invoice(cls.gamma, "2026-04-10", "2026-05-10", 700)
        # another company's customer
        cls.delta = cls.make_customer("Delta Elsewhere")
        cls.invoice(cls.delta, "2026-03-01", "2026-03-01", 999, company=cls.company_2)

    def run_report(self, user=None, **values):
        Reports = self.env["customer.ledger.aging.report"].with_user(user or self.ledger_user)
        report = Reports.create(dict({"date": D}, **values))
        report.action_view()
        return report

    def buckets(self, report):
        """{customer: [amount of each bucket]} of the report's lines."""
        found = {}
        for line in report.line_ids:
            found.setdefault(line.partner_id, [0.0] * len(report.bucket_ids))[line.bucket_id.sequence] += line.amount
        return found

    def odoo_balance(self, partner, on_date):
        """Odoo's own receivable balance of the customer (and its contacts) on ``on_date``."""
        groups = self.env["account.move.line"].read_group([
            ("partner_id", "child_of", partner.id), ("account_id.account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"), ("date", "<=", on_date), ("company_id", "=", self.company.id)],
            ["balance:sum"], [])
        return groups[0]["balance"] or 0.0

    # ------------------------------------------------------------------
    # Figures
    # ------------------------------------------------------------------

    def test_buckets_by_customer(self):
        report = self.run_report()
        self.assertEqual(report.company_id, self.company)
        self.assertEqual(report.bounds, "30,60,90", "the company's statement buckets by default")
        self.assertEqual(report.bucket_ids.mapped("name"), ["Not Due", "1-30", "31-60", "61-90", "Over 90"])
        self.assertEqual(self.buckets(report), {
            self.alpha: [500, 250, 600, 0, 0],  # B not due; -100 + 300 + 50; A less the February payment
            self.beta: [0, 200, 0, 0, 800],  # -150 unapplied (30 days) + 350 of gold (29 days)
            self.gamma: [0, 250, 0, 0, 0],
        })
        self.assertEqual({line.tier_id for line in report.line_ids}, {self.tier_a, self.tier_b, self.Tiers})
        self.assertEqual(report.line_ids.company_id, self.company)
        self.assertEqual(report.line_ids.currency_id, self.company.currency_id)

    def test_totals_are_odoo_balances(self):
        report = self.run_report()
        for customer, amounts in self.buckets(report).items():
            self.assertEqual(self.company.currency_id.compare_amounts(
                sum(amounts), self.odoo_balance(customer, D)), 0, customer.name)
        groups = report.line_ids.read_group([("report_id", "=", report.id)], ["amount:sum"], ["partner_id"])
        self.assertEqual({g["partner_id"][0]: g["amount"] for g in groups},
                         {self.alpha.id: 1350, self.beta.id: 1000, self.gamma.id: 250})

    def test_today_is_partner_credit(self):
        today = fields.Date.context_today(self.alpha)
        report = self.run_report(date=today)
        totals = {customer: sum(amounts) for customer, amounts in self.buckets(report).items()}
        self.assertEqual(totals, {self.alpha: 1150, self.beta: 1000, self.gamma: 950})
        for customer, total in totals.items():
            partners = (customer | customer.child_ids).with_company(self.company)
            partners.invalidate_recordset(["credit"])  # not stored, without dependencies
            self.assertEqual(self.company.currency_id.compare_amounts(total, sum(partners.mapped("credit"))), 0)
            self.assertEqual(self.company.currency_id.compare_amounts(total, self.odoo_balance(customer, today)), 0)

    def test_statement_has_the_same_buckets(self):
        self.company.ledger_statement_aging_bounds = "15,45"
        report = self.run_report()
        self.assertEqual(report.bucket_ids.mapped("name"), ["Not Due", "1-15", "16-45", "Over 45"])
        found = self.buckets(report)
        self.assertEqual(found, {self.alpha: [500, 350, 500, 0], self.beta: [0, 0, 200, 800],
                                 self.gamma: [0, 0, 250, 0]})
        Statements = self.env["customer.ledger.statement"].with_user(self.accountant)
        for customer in (self.alpha, self.beta, self.gamma):
            statement = Statements.create({"partner_id": customer.id, "date_from": date(2026, 3, 1), "date_to": D})
            self.assertEqual(statement.currency_id, self.company.currency_id)
            self.assertEqual(statement.aging_ids.mapped("label"), report.bucket_ids.mapped("name"))
            self.assertEqual(statement.aging_ids.mapped("amount"), found[customer], customer.name)

    def test_credit_file_has_the_report_buckets_today(self):
        report = self.run_report(date=fields.Date.context_today(self.alpha), bounds="30,60,90")
        found = self.buckets(report)
        for customer in (self.alpha, self.beta, self.gamma):
            credit_file = self.Files._for_partner(customer)
            self.assertEqual([credit_file[name] for name in AGING_BUCKETS], found[customer], customer.name)
        self.assertEqual(found[self.alpha], [0, 0, 0, 0, 1150])

    def test_tier_totals_and_filter(self):
        report = self.run_report(bounds="15,30,60,90")
        groups = report.line_ids.read_group([("report_id", "=", report.id)], ["amount:sum"], ["tier_id"])
        self.assertEqual({g["tier_id"] and g["tier_id"][0]: g["amount"] for g in groups},
                         {self.tier_a.id: 1350, self.tier_b.id: 1000, False: 250})
        filtered = self.run_report(tier_ids=[(6, 0, self.tier_a.ids)])
        self.assertEqual(self.buckets(filtered), {self.alpha: [500, 250, 600, 0, 0]})

    def test_pivot_columns_in_order_of_age(self):
        report = self.run_report(bounds="15,30,60,90")
        groups = report.line_ids.read_group([("report_id", "=", report.id)], ["amount:sum"], ["bucket_id"])
        self.assertEqual([(g["bucket_id"][1], g["amount"]) for g in groups],
                         [("Not Due", 500), ("1-15", 350), ("16-30", 350), ("31-60", 600), ("Over 90", 800)])

    def test_by_item_date(self):
        report = self.run_report(by_due_date=False)
        self.assertEqual(report.bucket_ids.mapped("name"), ["Current", "1-30", "31-60", "61-90", "Over 90"])
        # Alpha: A dated 15 January (75 days); B, the credit note, D and the fee within 30 days
        self.assertEqual(self.buckets(report)[self.alpha], [0, 750, 0, 600, 0])

    def test_bounds_are_checked(self):
        Reports = self.env["customer.ledger.aging.report"].with_user(self.ledger_user)
        for wrong in ("30,30", "0,30", "60,30", "a,b", "30;60"):
            with self.assertRaisesRegex(ValidationError, "whole days above zero, increasing"):
                Reports.create({"date": D, "bounds": wrong})
        report = Reports.create({"date": D, "bounds": " 10, 20 "})
        report.action_view()
        self.assertEqual(report.bucket_ids.mapped("name"), ["Not Due", "1-10", "11-20", "Over 20"])

    def test_view_opens_the_pivot(self):
        report = self.env["customer.ledger.aging.report"].with_user(self.ledger_user).create({"date": D})
        action = report.action_view()
        self.assertEqual(action["res_model"], "customer.ledger.aging.report.line")
        self.assertTrue(action["view_mode"].startswith("pivot"))
        self.assertEqual(action["domain"], [("report_id", "=", report.id)])
        self.assertEqual(len(report.line_ids), 6)
        report.action_view()  # computed again, not added
        self.assertEqual(len(report.line_ids), 6)
        printed = report.action_print()
        self.assertEqual(printed["report_name"], "customer_ledger.customer_ledger_aging_report")

    def test_set_wise(self):
        """Computing a run takes as many queries for three customers as for thirteen."""
        self.env["customer.ledger.aging.report"].create({"date": D})._ledger_compute()  # caches warm
        counts = []
        for _round in range(2):
            report = self.env["customer.ledger.aging.report"].create({"date": D})
            report.env.flush_all()
            before = self.env.cr.sql_log_count
            report._ledger_compute()
            counts.append(self.env.cr.sql_log_count - before)
            for index in range(10):
                self.invoice(self.make_customer(f"More {index}"), "2026-03-01", "2026-03-15", 10)
        self.assertEqual(counts[0], counts[1])
        self.assertEqual(len(report.line_ids.partner_id), 13)

    def test_wizard_form_and_views(self):
        self.company_2.ledger_statement_aging_bounds = "45,90"
        wizard = Form(self.env["customer.ledger.aging.report"].with_user(self.ledger_user))
        self.assertEqual((wizard.date, wizard.bounds, wizard.by_due_date),
                         (fields.Date.context_today(self.alpha), "30,60,90", True))
        wizard = Form(self.env["customer.ledger.aging.report"])
        wizard.company_id = self.company_2
        self.assertEqual(wizard.bounds, "45,90", "the company's buckets")
        Lines = self.env["customer.ledger.aging.report.line"].with_user(self.ledger_user)
        views = Lines.get_views([(False, "pivot"), (False, "graph"), (False, "tree"), (False, "search")])
        self.assertIn('type="col"', views["views"]["pivot"]["arch"])
        menu = self.env.ref("customer_ledger.customer_ledger_aging_report_menu")
        self.assertIn(menu.id, self.env["ir.ui.menu"].with_user(self.accountant)._visible_menu_ids())
        self.assertNotIn(menu.id, self.env["ir.ui.menu"].with_user(self.invoicing_user)._visible_menu_ids())

    # ------------------------------------------------------------------
    # PDF
    # ------------------------------------------------------------------

    def test_pdf_content(self):
        report = self.run_report()
        content, _kind = self.env["ir.actions.report"].with_user(self.ledger_user)._render_qweb_html(
            REPORT, report.ids)
        tree = html.fromstring(content)

        def cells(row_class):
            return [[" ".join(cell.text_content().split()) for cell in row.xpath("./td")]
                    for row in tree.xpath(f"//tr[contains(@class, '{row_class}')]")]

        def money(amount):
            shown = self.env["ir.qweb.field.monetary"].value_to_html(
                amount, {"display_currency": self.company.currency_id})
            return " ".join(html.fromstring(shown).text_content().split())

        self.assertEqual(cells("o_aging_customer"), [
            ["Alpha Trading", money(500), money(250), money(600), "", "", money(1350)],
            ["Beta Stores", "", money(200), "", "", money(800), money(1000)],
            ["Gamma Works", "", money(250), "", "", "", money(250)],
        ])
        self.assertEqual(cells("o_aging_subtotal"), [
            ["Subtotal " + self.tier_a.display_name, money(500), money(250), money(600), money(0), money(0),
             money(1350)],
            ["Subtotal " + self.tier_b.display_name, money(0), money(200), money(0), money(0), money(800),
             money(1000)],
            ["Subtotal No Tier", money(0), money(250), money(0), money(0), money(0), money(250)],
        ])
        self.assertEqual(cells("o_aging_total"), [
            ["Total", money(500), money(700), money(600), money(0), money(800), money(2600)]])
        self.assertIn("1,350.00", money(1350))
        text = " ".join(tree.text_content().split())
        self.assertIn("Receivables Aging", text)
        self.assertIn("30,60,90", text)
        self.assertIn("03/31/2026", text)

    def test_pdf_in_the_users_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.ledger_user.lang = "fr_FR"
        report = self.run_report()
        content, _kind = self.env["ir.actions.report"].with_user(self.ledger_user)._render_qweb_html(
            REPORT, report.ids)
        text = " ".join(html.fromstring(content).text_content().split())
        self.assertIn("31/03/2026", text)
        lang = self.env["res.lang"]._lang_get("fr_FR")
        self.assertIn("$ " + " ".join(lang.format("%.2f", 2600, grouping=True).split()), text)  # 2 600,00
        self.assertNotIn("2,600.00", text)

    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------

    def test_access_by_group(self):
        for user in (self.ledger_user, self.accountant, self.credit_manager):
            self.assertEqual(sum(self.run_report(user=user).line_ids.mapped("amount")), 2600, user.login)
        for user in (self.robot, self.invoicing_user):
            with self.assertRaises(AccessError):
                self.run_report(user=user)
        mine = self.run_report()
        with self.assertRaises(AccessError):
            mine.with_user(self.accountant).read(["date"])  # one's own runs only
        with self.assertRaises(AccessError):
            mine.line_ids[:1].with_user(self.accountant).read(["amount"])
        with self.assertRaises(AccessError):
            mine.with_user(self.accountant).action_view()

    def test_companies_apart(self):
        with self.assertRaises(AccessError):
            self.run_report(company_id=self.company_2.id)  # not one of the user's companies
        Reports = self.env["customer.ledger.aging.report"].with_company(self.company_2)
        other = Reports.create({"date": D})
        other.action_view()
        self.assertEqual(other.company_id, self.company_2)
        self.assertEqual(self.buckets(other), {self.delta: [0, 999, 0, 0, 0]})
        with self.assertRaises(UserError):
            Reports.create({"date": D, "company_id": self.company_2.id, "tier_ids": [(6, 0, self.tier_a.ids)]})


@tagged("post_install", "-at_install")
class TestAgingReportUi(HttpCase):
    def test_view_the_report(self):
        customer = self.env["res.partner"].create({"name": "Tour Aging Customer", "is_company": True})
        today = fields.Date.context_today(customer)
        for days_late, amount in ((-10, 1), (5, 2), (20, 4), (200, 8)):
            due = fields.Date.subtract(today, days=days_late)
            invoice = self.env["account.move"].create({
                "move_type": "out_invoice", "partner_id": customer.id, "invoice_date": min(due, today),
                "invoice_payment_term_id": False,
                "invoice_line_ids": [(0, 0, {"name": "Tour goods", "quantity": 1, "price_unit": amount,
                                             "tax_ids": [(6, 0, [])]})],
            })
            invoice.invoice_date_due = due
            invoice.action_post()
        self.start_tour("/web#action=customer_ledger.customer_ledger_aging_report_action_wizard",
                        "customer_ledger_aging_report_tour", login="admin")
        report = self.env["customer.ledger.aging.report"].search([("create_uid.login", "=", "admin")],
                                                                   order="id desc", limit=1)
        self.assertEqual(report.bounds, "15,30,60,90")
        lines = report.line_ids.filtered(lambda line: line.partner_id == customer)
        self.assertEqual([(line.bucket_id.name, line.amount) for line in lines],
                         [("Not Due", 1), ("1-15", 2), ("16-30", 4), ("Over 90", 8)])
