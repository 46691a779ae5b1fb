# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests.common import new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

JOURNAL_IBAN = "GB29 NWBK 6016 1331 9268 19"
CUSTOMER_IBAN = "FR1420041010050500013M02606"


class LedgerSyncCommon(AccountTestInvoicingCommon):
    """A bank journal with an IBAN, a customer with a bank account, open invoices, and the
    users of every group the sync API cares about."""

    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.Sync = cls.env["customer.ledger.sync"]
        cls.StatementLine = cls.env["account.bank.statement.line"]
        cls.journal = cls.company_data["default_journal_bank"]
        cls.journal.bank_acc_number = JOURNAL_IBAN
        cls.customer = cls.partner_a
        cls.env["res.partner.bank"].create({"acc_number": CUSTOMER_IBAN, "partner_id": cls.customer.id})
        cls.invoice = cls.init_invoice("out_invoice", partner=cls.customer, amounts=[1000.0], taxes=[], post=True)
        company_ids = (cls.company_data["company"] | cls.company_data_2["company"]).ids
        common = {"company_id": cls.company_data["company"].id, "company_ids": [(6, 0, company_ids[:1])]}
        cls.robot = new_test_user(
            cls.env, login="cl_robot", groups="customer_ledger.group_ledger_sync_robot", **common
        )
        cls.internal_user = new_test_user(cls.env, login="cl_internal", groups="base.group_user", **common)
        cls.ledger_user = new_test_user(
            cls.env, login="cl_ledger_user", groups="customer_ledger.group_ledger_user", **common
        )
        cls.credit_manager = new_test_user(
            cls.env, login="cl_credit_manager", groups="customer_ledger.group_credit_manager", **common
        )
        cls.accountant = new_test_user(
            cls.env, login="cl_accountant", groups="customer_ledger.group_reconciliation_accountant", **common
        )

    @classmethod
    def line(cls, key, amount, text="", **extra):
        currency = cls.journal.currency_id or cls.journal.company_id.currency_id
        values = {"key": key, "date": "2026-11-20", "amount": amount, "currency": currency.name, "payment_ref": text}
        return dict(values, **extra)

    def push(self, lines, user=None, journal=None, source=None, statements=None):
        sync = self.Sync.with_user(user or self.robot)
        if statements is None:
            return sync.push_statement_lines("1.0", journal or {"code": self.journal.code}, lines, source)
        return sync.push_statement_lines("1.1", journal or {"code": self.journal.code}, lines, source, statements)

    def lines_with_key(self, *keys):
        return self.StatementLine.search([("ledger_import_key", "in", list(keys))])


class LedgerCreditCommon(AccountTestInvoicingCommon):
    """A company whose user is a Credit Manager, users of each ledger group, and helpers that
    write a customer's payment history: invoices with due dates, and payments on given days."""

    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.company_data["company"]
        cls.company_2 = cls.company_data_2["company"]
        cls.env.user.groups_id |= cls.env.ref("customer_ledger.group_credit_manager")
        common = {"company_id": cls.company.id, "company_ids": [(6, 0, cls.company.ids)]}
        cls.ledger_user = new_test_user(cls.env, login="credit_user", groups="customer_ledger.group_ledger_user",
                                        **common)
        cls.credit_manager = new_test_user(cls.env, login="credit_manager", name="Carla Credit",
                                           groups="customer_ledger.group_credit_manager,account.group_account_invoice",
                                           **common)
        cls.invoicing_user = new_test_user(cls.env, login="credit_invoicing", name="Ivan Invoicing",
                                           groups="account.group_account_invoice", **common)
        cls.robot = new_test_user(cls.env, login="credit_robot",
                                  groups="customer_ledger.group_ledger_sync_robot", **common)
        cls.Files = cls.env["customer.ledger.credit.file"]

    @classmethod
    def make_customer(cls, name, **values):
        return cls.env["res.partner"].create(dict({"name": name, "is_company": True}, **values))

    @classmethod
    def invoice(cls, partner, invoice_date, due, amount, move_type="out_invoice", post=True, company=None, user=None):
        """A customer invoice (or credit note) of ``amount``, untaxed, due on ``due``."""
        company = company or cls.company
        Moves = cls.env["account.move"].with_user(user or cls.env.user).with_company(company)
        move = Moves.create({
            "move_type": move_type, "partner_id": partner.id, "invoice_date": invoice_date,
            "invoice_date_due": due, "invoice_payment_term_id": False,
            "invoice_line_ids": [(0, 0, {"name": "Goods", "quantity": 1, "price_unit": amount, "tax_ids": []})],
        })
        move.invoice_date_due = due
        if post:
            move.action_post()
        return move

    @classmethod
    def pay(cls, invoice, payment_date, amount=None):
        values = {"payment_date": payment_date}
        if amount is not None:
            values["amount"] = amount
        cls.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids).create(values)._create_payments()
