# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import Command, fields
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

PARTS = ("receivable", "draft_invoiced", "quotations", "sale_to_invoice", "exposure")


@tagged("post_install", "-at_install")
class TestSaleExposure(AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.company_data["company"]
        cls.env.user.groups_id |= cls.env.ref("customer_ledger.group_credit_manager") \
            | cls.env.ref("sales_team.group_sale_manager")
        cls.customer = cls.env["res.partner"].create({"name": "Sales Customer", "is_company": True})
        cls.buyer = cls.env["res.partner"].create({"name": "Buyer", "parent_id": cls.customer.id})
        cls.credit_file = cls.env["customer.ledger.credit.file"]._for_partner(cls.customer, cls.company)
        cls.today = fields.Date.context_today(cls.env.user)

    def order(self, quantity=1, price=1000.0, confirm=False, **values):
        order = self.env["sale.order"].create({
            "partner_id": self.buyer.id,
            "company_id": self.company.id,
            "order_line": [Command.create({"product_id": self.product_a.id, "product_uom_qty": quantity,
                                           "price_unit": price, "tax_id": [Command.clear()]})],
            **values,
        })
        if confirm:
            order.action_confirm()
        return order

    def exposure(self):
        self.credit_file.invalidate_recordset()
        return {part: self.credit_file[part] for part in PARTS}

    def assertExposure(self, receivable=0, draft_invoiced=0, quotations=0, sale_to_invoice=0, exposure=None):
        expected = {"receivable": receivable, "draft_invoiced": draft_invoiced, "quotations": quotations,
                    "sale_to_invoice": sale_to_invoice}
        expected["exposure"] = sum(expected.values()) if exposure is None else exposure
        self.assertEqual(self.exposure(), expected)

    def test_quotations_count_while_valid(self):
        quotation = self.order(price=700)
        self.assertTrue(quotation.validity_date, "the company's default validity applies")
        self.assertExposure(quotations=700)
        quotation.state = "sent"
        quotation.validity_date = self.today  # valid through today
        self.assertExposure(quotations=700)
        quotation.validity_date = False
        self.assertExposure(quotations=700)
        quotation.validity_date = self.today - timedelta(days=1)
        self.assertExposure()  # expired
        self.order(price=300)._action_cancel()
        self.assertExposure()

    def test_setting_leaves_quotations_out(self):
        self.order(price=700)
        confirmed = self.order(price=200, confirm=True)
        self.assertExposure(quotations=700, sale_to_invoice=200)
        settings = self.env["res.config.settings"].with_company(self.company).create({})
        self.assertTrue(settings.ledger_exposure_quotations, "counted by default")
        settings.ledger_exposure_quotations = False
        settings.execute()
        self.assertFalse(self.company.ledger_exposure_quotations)
        self.assertExposure(sale_to_invoice=200)
        # another company's setting does not matter
        self.company_data_2["company"].ledger_exposure_quotations = True
        self.assertExposure(sale_to_invoice=200)
        confirmed._action_cancel()
        self.assertExposure()

    def test_confirmed_order_counts_until_invoiced(self):
        order = self.order(quantity=10, price=100, confirm=True)
        self.assertExposure(sale_to_invoice=1000)
        invoice = order._create_invoices()
        self.assertEqual(invoice.state, "draft")
        # the draft invoice made from the order counts once, as a draft invoice
        self.assertExposure(draft_invoiced=1000)
        invoice.action_post()
        self.assertExposure(receivable=1000)

    def test_down_payment(self):
        order = self.order(quantity=10, price=100, confirm=True)
        self.env["sale.advance.payment.inv"].with_context(active_model="sale.order", active_ids=order.ids).create({
            "advance_payment_method": "fixed", "fixed_amount": 400}).create_invoices()
        down_payment = order.invoice_ids
        self.assertEqual((down_payment.state, down_payment.amount_total), ("draft", 400))
        self.assertExposure(draft_invoiced=400, sale_to_invoice=600)
        down_payment.action_post()
        self.assertEqual(order.amount_to_invoice, 600)
        self.assertExposure(receivable=400, sale_to_invoice=600)
        final = order._create_invoices(final=True)
        self.assertEqual(final.amount_total, 600)
        self.assertExposure(receivable=400, draft_invoiced=600)
        final.action_post()
        self.assertExposure(receivable=1000)

    def test_draft_invoice_takes_off_at_most_what_is_left(self):
        order = self.order(quantity=1, price=500, confirm=True)
        invoice = order._create_invoices()
        invoice.invoice_line_ids.price_unit = 800  # billed more than ordered
        self.assertExposure(draft_invoiced=800)
        other = self.order(quantity=1, price=100, confirm=True)
        self.assertExposure(draft_invoiced=800, sale_to_invoice=100)
        other._create_invoices().action_post()
        self.assertExposure(receivable=100, draft_invoiced=800)

    def test_foreign_currency_order_is_converted(self):
        currency = self.currency_data["currency"]
        self.env["res.currency.rate"].create({
            "name": self.today, "rate": 4.0, "currency_id": currency.id, "company_id": self.company.id})
        pricelist = self.env["product.pricelist"].create({
            "name": "Gold", "currency_id": currency.id, "company_id": self.company.id})
        quotation = self.order(price=1000, pricelist_id=pricelist.id)
        self.assertEqual((quotation.currency_id, quotation.amount_total), (currency, 1000))
        self.assertEqual(quotation.currency_rate, 4.0, "the rate from the company's currency to the order's")
        self.assertExposure(quotations=250)
        quotation.action_confirm()
        self.assertExposure(sale_to_invoice=250)
        invoice = quotation._create_invoices()
        self.assertEqual(invoice.currency_id, currency)
        self.assertExposure(draft_invoiced=250)
        invoice.action_post()
        self.assertExposure(receivable=250)

    def test_other_customers_and_companies_do_not_count(self):
        self.order(price=100, partner_id=self.partner_a.id, confirm=True)
        company_2 = self.company_data_2["company"]
        self.env["sale.order"].with_company(company_2).create({
            "partner_id": self.buyer.id, "company_id": company_2.id,
            "order_line": [Command.create({"product_id": self.product_a.id, "price_unit": 100,
                                           "tax_id": [Command.clear()]})],
        })
        self.assertExposure()
        self.assertEqual(self.env["customer.ledger.credit.file"]._for_partner(self.customer, company_2).quotations,
                         100)

    def test_report_view_has_the_sales_parts(self):
        self.env.cr.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s",
                            ["customer_ledger_credit_report"])
        columns = {name for (name,) in self.env.cr.fetchall()}
        self.assertLessEqual({"quotations", "sale_to_invoice"}, columns, "the view was rebuilt at install")
        self.order(price=700)
        order = self.order(quantity=10, price=100, confirm=True)
        invoice = order._create_invoices()
        invoice.invoice_line_ids.quantity = 3
        invoice.action_post()
        self.init_invoice("out_invoice", partner=self.buyer, amounts=[50], taxes=[])
        self.assertExposure(receivable=300, draft_invoiced=50, quotations=700, sale_to_invoice=700)
        self.env.flush_all()
        report = self.env["customer.ledger.credit.report"].search([("credit_file_id", "=", self.credit_file.id)])
        self.assertEqual({part: report[part] for part in PARTS}, self.exposure())
        self.assertEqual(report.exposure, 1750)
