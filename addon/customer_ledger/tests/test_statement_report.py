# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import io
import shutil
from datetime import date

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tests.common import new_test_user
from odoo.tools.pdf import PdfFileReader

from odoo.addons.base.models.ir_qweb import QWebException

from .common import LedgerCreditCommon

REPORT = "customer_ledger.customer_ledger_statement_report_action"
FROM, TO = date(2026, 3, 1), date(2026, 3, 31)


def amount(text):
    """How the monetary widget prints an amount's figure (the symbol stands apart)."""
    return f'<span class="oe_currency_value">{text}</span>'


@tagged("post_install", "-at_install")
class TestStatementReport(LedgerCreditCommon):
    """The statement of account printed for an English and a Chinese customer with the same March
    2026: 600.00 open from before, +2,500.50 invoiced, -150.00 credited, -200.00 paid, +1,234.56
    invoiced, 3,985.06 at the end."""

    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(["customer_ledger"], ["zh_CN"], overwrite=True)
        common = {"company_id": cls.company.id, "company_ids": [(6, 0, cls.company.ids)]}
        cls.accountant = new_test_user(cls.env, login="stmt_report_accountant",
                                       groups="customer_ledger.group_reconciliation_accountant", **common)
        cls.english = cls.make_customer("Azure Interior", lang="en_US", street="4557 De Silva St", city="Fremont",
                                       email="accounts@azure.example.com")
        cls.billing = cls.env["res.partner"].create({
            "name": "Accounts Payable Desk", "parent_id": cls.english.id, "type": "invoice",
            "street": "PO Box 12 Billing", "city": "Fremont"})
        cls.chinese = cls.make_customer("上海明辉贸易有限公司", lang="zh_CN", street="世纪大道100号", city="上海")
        cls.moves = {}
        for customer in (cls.english, cls.chinese):
            inv_a = cls.invoice(customer, "2026-01-15", "2026-02-14", 1000)
            cls.pay(inv_a, "2026-02-20", 400)
            inv_b = cls.invoice(customer, "2026-03-05", "2026-04-04", 2500.50)
            refund = cls.invoice(customer, "2026-03-10", "2026-03-10", 150, move_type="out_refund")
            cls.pay(inv_a, "2026-03-15", 200)
            inv_c = cls.invoice(customer, "2026-03-20", "2026-03-25", 1234.56)
            cls.moves[customer] = inv_b | refund | inv_c
        cls.statements = cls.env["customer.ledger.statement"].with_user(cls.accountant)._ledger_generate(
            cls.english | cls.chinese, FROM, TO)
        cls.st_en = cls.statements.filtered(lambda s: s.partner_id == cls.english)
        cls.st_zh = cls.statements.filtered(lambda s: s.partner_id == cls.chinese)

    def html(self, statements, user=None):
        report = self.env["ir.actions.report"].with_user(user or self.accountant)
        return report._render_qweb_html(REPORT, statements.ids)[0].decode()

    def pdf(self, statements):
        if not shutil.which("wkhtmltopdf"):
            self.skipTest("wkhtmltopdf is not installed (CI installs it): no real PDF to check")
        report = self.env["ir.actions.report"].with_user(self.accountant).with_context(force_report_rendering=True)
        content = report._render_qweb_pdf(REPORT, statements.ids)[0]
        self.assertTrue(content.startswith(b"%PDF"), "wkhtmltopdf gave no PDF")
        reader = PdfFileReader(io.BytesIO(content))
        return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)

    def test_figures_are_the_statement(self):
        self.assertEqual(self.st_en.opening_balance, 600.0)
        self.assertEqual(self.st_en.closing_balance, 3985.06)
        self.assertEqual(self.st_en.aging_ids.mapped("amount"), [2500.50, 1084.56, 400.0, 0.0, 0.0])
        self.assertEqual(len(self.st_en.line_ids), 4)

    def test_english_document(self):
        html = self.html(self.st_en)
        for text in ("Statement of Account", self.st_en.name, "Azure Interior", "PO Box 12 Billing",
                     "03/01/2026", "03/31/2026", "USD", "Opening Balance", "Closing Balance", "Balance Due",
                     amount("600.00"), amount("3,985.06"), amount("2,500.50"), amount("1,234.56"),
                     amount("150.00"), amount("200.00"), amount("1,084.56"), amount("400.00"),
                     "Not Due", "1-30", "31-60", "61-90", "Over 90", "Invoice", "Credit Note", "Payment",
                     "confirm the closing balance"):
            self.assertIn(text, html)
        # opening balance first, then the lines in order, closing balance last
        positions = [html.index("Opening Balance")]
        positions += [html.index(line.move_id.name) for line in self.st_en.line_ids]
        positions.append(html.index("Closing Balance"))
        self.assertEqual(positions, sorted(positions))
        self.assertEqual(len(set(self.st_en.line_ids.move_id.mapped("name"))), 4)
        # running balances, after each line
        for balance in ("3,100.50", "2,950.50", "2,750.50", "3,985.06"):
            self.assertIn(amount(balance), html)
        self.assertNotIn("Disputed", html)
        self.assertNotIn("对账单", html)

    def test_chinese_document(self):
        html = self.html(self.st_zh)
        for text in ("对账单", self.st_zh.name, "上海明辉贸易有限公司", "期初余额", "期末余额", "账龄", "借方", "贷方",
                     "余额", "到期日", "发票", "贷项通知单", "付款", "未到期", "90 天以上", "2026年03月01日",
                     "2026年03月31日", amount("600.00"), amount("3,985.06")):
            self.assertIn(text, html)
        for text in ("Statement of Account", "Opening Balance", "Closing Balance", "Not Due", "Over 90", "Due Date"):
            self.assertNotIn(text, html)

    def test_aging_labels_in_the_readers_language(self):
        """The buckets keep their days past due, named when read, in the reader's language: figures
        computed by an English-speaking accountant print in Chinese for a Chinese customer, and
        those of a Chinese-speaking one in English for an English customer."""
        buckets = self.st_zh.aging_ids
        self.assertEqual([(b.days_from, b.days_to) for b in buckets], [(0, 0), (1, 30), (31, 60), (61, 90), (91, 0)])
        self.assertEqual(buckets.mapped("label"), ["Not Due", "1-30", "31-60", "61-90", "Over 90"])
        self.assertEqual(buckets.with_context(lang="zh_CN").mapped("label"),
                         ["未到期", "1-30", "31-60", "61-90", "90 天以上"])
        html = self.html(self.st_zh)
        self.assertIn("<span>未到期</span>", html)
        self.assertIn("<span>90 天以上</span>", html)
        self.accountant.lang = "zh_CN"
        statement = self.env["customer.ledger.statement"].with_user(self.accountant).create({
            "partner_id": self.english.id, "date_from": date(2026, 4, 1), "date_to": date(2026, 4, 30)})
        html = self.html(statement)
        self.assertIn("<span>Not Due</span>", html)
        self.assertIn("<span>Over 90</span>", html)
        self.assertNotIn("未到期", html)

    def test_each_in_its_own_language(self):
        html = self.html(self.statements)
        self.assertEqual(html.count("Statement of Account"), 1)
        self.assertEqual(html.count("<span>对账单</span>"), 1)

    def test_disputed_lines_marked(self):
        self.st_en.with_user(self.accountant).action_send()
        line = self.st_en.line_ids.filtered(lambda x: x.kind == "credit_note")
        self.st_en.with_user(self.accountant).action_dispute("Credit note never received.", line.ids)
        html = self.html(self.st_en)
        self.assertEqual(html.count(">Disputed</span>"), 1)
        self.assertIn("Credit note never received.", html)
        self.assertLess(html.index(line.move_id.name), html.index(">Disputed</span>"))

    def test_portal_link_when_the_statement_has_one(self):
        html = self.html(self.st_en)
        if "access_url" in self.st_en._fields:
            self.assertIn(self.st_en.get_portal_url(), html)
        else:
            self.assertNotIn("statement_portal_link", html)

    def test_quiet_period(self):
        statement = self.env["customer.ledger.statement"].with_user(self.accountant).create({
            "partner_id": self.english.id, "date_from": date(2026, 6, 1), "date_to": date(2026, 6, 30)})
        html = self.html(statement)
        self.assertIn("No transactions in this period.", html)
        # opening and closing rows, opening and balance due in the totals, the aging's total
        self.assertEqual(html.count(amount("3,985.06")), 5)
        self.assertIn(amount("1,484.56"), html)  # all of March's invoices over 90 days past due but one

    def test_who_prints(self):
        self.assertIn(self.st_en.name, self.html(self.st_en, user=self.ledger_user))
        self.env.invalidate_all()  # what the ledger user read stays in the cache, rights unchecked
        with self.assertRaises(QWebException) as caught:
            self.html(self.st_en, user=self.invoicing_user)
        self.assertIsInstance(caught.exception.__cause__, AccessError)

    def test_real_pdf_english(self):
        pages, text = self.pdf(self.st_en)
        self.assertEqual(pages, 1)
        self.assertNotIn("对账单", text)

    def test_real_pdf_chinese(self):
        pages, text = self.pdf(self.st_zh)
        self.assertEqual(pages, 1)
        # the Chinese text is only there if wkhtmltopdf found a CJK font (fonts-wqy-zenhei)
        for text_zh in ("对账单", "期末余额", "期初余额", "账龄", "上海明辉贸易有限公司"):
            self.assertIn(text_zh, text)
