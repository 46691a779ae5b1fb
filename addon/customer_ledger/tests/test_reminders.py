# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta
from unittest.mock import patch

import psycopg2

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import BaseCase, tagged
from odoo.tests.common import new_test_user
from odoo.tools import mute_logger

from ..lib.text import name_some
from ..models.customer_ledger_reminder_policy import reached_level
from .common import LedgerCreditCommon

STANDARD = [(-3, "courtesy"), (7, "7"), (21, "21"), (45, "45")]


@tagged("post_install", "-at_install")
class TestReminderLevelRule(BaseCase):
    """The level an invoice reached, without a database."""

    def test_reached_level(self):
        self.assertIsNone(reached_level(-4, STANDARD))
        self.assertEqual(reached_level(-3, STANDARD), (-3, "courtesy"))
        self.assertEqual(reached_level(0, STANDARD), (-3, "courtesy"))
        # overdue: a courtesy reminder no longer applies
        self.assertIsNone(reached_level(1, STANDARD))
        self.assertIsNone(reached_level(6, STANDARD))
        self.assertEqual(reached_level(7, STANDARD), (7, "7"))
        self.assertEqual(reached_level(20, STANDARD), (7, "7"))
        self.assertEqual(reached_level(21, STANDARD), (21, "21"))
        self.assertEqual(reached_level(44, STANDARD), (21, "21"))
        self.assertEqual(reached_level(400, STANDARD), (45, "45"))
        self.assertIsNone(reached_level(30, []))
        self.assertEqual(reached_level(2, [(7, "b"), (1, "a")]), (1, "a"))

    def test_name_some(self):
        self.assertEqual(name_some([]), "")
        self.assertEqual(name_some(["a", "b"], 2), "a, b")
        self.assertEqual(name_some(("a", "b", "c", "d"), 2), "a, b and 2 more")
        self.assertEqual(name_some(["a", "b", "c"], 1, "%(names)s (+%(count)s)"), "a (+2)")


@tagged("post_install", "-at_install")
class TestReminders(LedgerCreditCommon):
    """Customers with invoices around their due dates under the shipped Standard policy (the company's
    default), and the users of each group."""

    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        common = {"company_id": cls.company.id, "company_ids": [(6, 0, cls.company.ids)]}
        cls.accountant = new_test_user(cls.env, login="rem_accountant", name="Ada Accountant",
                                       groups="customer_ledger.group_reconciliation_accountant", **common)
        cls.Reminders = cls.env["customer.ledger.reminder"]
        cls.today = fields.Date.today()
        cls.standard = cls.env.ref("customer_ledger.reminder_policy_standard")
        cls.gentle = cls.env.ref("customer_ledger.reminder_policy_gentle")
        cls.firm = cls.env.ref("customer_ledger.reminder_policy_firm")
        cls.level = {level.days: level for level in cls.standard.level_ids}
        cls.company.ledger_reminder_policy_id = cls.standard
        # drafts wait for review by default: most tests follow the automatic sending
        (cls.company | cls.company_2).ledger_reminder_auto_send = True
        cls.customer = cls.make_customer("Reminded Customer", email="ap@reminded.example.com")

    def day(self, offset):
        return self.today + timedelta(days=offset)

    def due_in(self, partner, days, amount=1000.0, company=None):
        """An invoice of ``partner`` due ``days`` from today (negative: overdue)."""
        due = self.day(days)
        return self.invoice(partner, min(due, self.today) - timedelta(days=30), due, amount, company=company)

    def run_cron(self, offset=0):
        self.Reminders._cron_ledger_reminders(commit=False, today=self.day(offset))

    def reminders(self, partner=None, company=None):
        return self.Reminders.search([("partner_id", "=", (partner or self.customer).id),
                                      ("company_id", "=", (company or self.company).id)], order="id")

    def emails(self, partner=None):
        return self.env["mail.message"].search([
            ("model", "=", "res.partner"), ("res_id", "=", (partner or self.customer).id),
            ("message_type", "=", "comment")], order="id")

    def levels_of(self, reminder):
        return {line.move_id: line.level_id.days for line in reminder.line_ids}

    def test_courtesy_before_due(self):
        soon = self.due_in(self.customer, 3)
        self.due_in(self.customer, 4)  # not yet
        self.due_in(self.customer, -5)  # overdue: no courtesy reminder, and 7 days not reached
        self.run_cron()
        reminder = self.reminders()
        self.assertEqual(len(reminder), 1)
        self.assertEqual(reminder.state, "sent")
        self.assertEqual(reminder.level_id, self.level[-3])
        self.assertEqual(self.levels_of(reminder), {soon: -3})
        self.assertEqual(reminder.line_ids.days_overdue, -3)
        self.assertEqual(reminder.line_ids.date_due, self.day(3))

    def test_levels_by_days(self):
        moves = {days: self.due_in(self.customer, -days, amount=100.0 + days) for days in (6, 7, 20, 21, 44, 45)}
        self.run_cron()
        reminder = self.reminders()
        self.assertEqual(len(reminder), 1)
        self.assertEqual(self.levels_of(reminder), {
            moves[7]: 7, moves[20]: 7, moves[21]: 21, moves[44]: 21, moves[45]: 45})
        self.assertEqual(reminder.level_id, self.level[45])
        self.assertEqual(reminder.line_ids.filtered(lambda line: line.move_id == moves[45]).amount_residual, 145.0)
        # an invoice that went straight to 21 days overdue gets level 21 only, never 7 as well
        lines = self.env["customer.ledger.reminder.line"].search([("move_id", "=", moves[21].id)])
        self.assertEqual(lines.level_id, self.level[21])
        self.assertEqual(len(lines), 1)

    def test_one_consolidated_email(self):
        first = self.due_in(self.customer, -8, amount=1000.0)
        second = self.due_in(self.customer, -9, amount=250.0)
        self.run_cron()
        reminder = self.reminders()
        self.assertEqual(len(reminder), 1)
        self.assertEqual(len(reminder.line_ids), 2)
        email = self.emails()
        self.assertEqual(len(email), 1)
        self.assertEqual(reminder.mail_message_id, email)
        self.assertEqual(reminder.recipient_id, self.customer)
        self.assertEqual(email.notification_ids.res_partner_id, self.customer)
        self.assertEqual(email.notification_ids.notification_type, "email")
        self.assertEqual(email.subject, f"{self.company.name}: payment reminder")
        self.assertIn(first.name, email.body)
        self.assertIn(second.name, email.body)
        self.assertIn("1,250.00", email.body)  # the total
        self.assertIn("1,250.00", reminder.amount_summary)
        self.assertNotIn("Net Amount Due", email.body)  # no open credit

    def test_nothing_sent_twice(self):
        self.due_in(self.customer, -7)
        self.run_cron()
        self.run_cron()
        self.run_cron(1)
        self.run_cron(13)  # 20 days overdue: still level 7
        self.assertEqual(len(self.reminders()), 1)
        self.assertEqual(len(self.emails()), 1)

    def test_later_level_sent_later(self):
        invoice = self.due_in(self.customer, -7)
        self.run_cron()
        self.run_cron(14)  # 21 days overdue
        self.run_cron(15)
        reminders = self.reminders()
        self.assertEqual(reminders.mapped("state"), ["sent", "sent"])
        self.assertEqual([self.levels_of(r) for r in reminders], [{invoice: 7}, {invoice: 21}])
        self.assertEqual(len(self.emails()), 2)

    def test_paid_invoice_not_reminded(self):
        invoice = self.due_in(self.customer, -7, amount=300.0)
        self.pay(invoice, self.today, 100.0)
        self.run_cron()
        self.assertEqual(self.reminders().line_ids.amount_residual, 200.0)
        other = self.make_customer("Paid Customer", email="paid@example.com")
        paid = self.due_in(other, -7)
        self.pay(paid, self.today)
        self.run_cron()
        self.assertFalse(self.reminders(other))

    def test_open_credits(self):
        # an open credit note as large as the overdue invoice: nothing owed on balance, no reminder
        self.due_in(self.customer, -7, amount=100.0)
        self.invoice(self.customer, self.day(-20), self.day(-20), 100.0, move_type="out_refund")
        self.run_cron()
        self.assertFalse(self.reminders())
        with self.assertRaisesRegex(UserError, "owes nothing on balance"):
            self.customer.with_user(self.accountant).action_ledger_send_reminder()
        # a payment of 30 not yet allocated: reminded of the invoice, with the credit and the net 70
        payer = self.make_customer("Paying Customer", email="payer@example.com")
        invoice = self.due_in(payer, -7, amount=100.0)
        payment = self.env["account.payment"].with_company(self.company).create({
            "payment_type": "inbound", "partner_type": "customer", "partner_id": payer.id, "amount": 30.0,
            "date": self.day(-2)})
        payment.action_post()
        self.run_cron()
        reminder = self.reminders(payer)
        self.assertEqual((reminder.state, self.levels_of(reminder)), ("sent", {invoice: 7}))
        self.assertEqual(reminder._ledger_open_credits().move_id, payment.move_id)
        self.assertEqual(reminder._ledger_net_totals(reminder._ledger_open_credits()),
                         [(self.company.currency_id, 70.0)])
        body = self.emails(payer).body
        self.assertIn(payment.move_id.name, body)
        self.assertRegex(body, r"(?s)Open Credit.*>30\.00<.*Net Amount Due.*>70\.00<")

    def test_disputed_statement_line_skipped_until_resolved(self):
        disputed = self.due_in(self.customer, -10)
        clear = self.due_in(self.customer, -10, amount=40.0)
        Statements = self.env["customer.ledger.statement"].with_user(self.accountant)
        statement = Statements._ledger_generate(self.customer, self.day(-60), self.today)
        statement.action_send()
        line = statement.line_ids.filtered(lambda x: x.move_id == disputed)
        statement.action_dispute("Goods never arrived", line.ids)
        self.run_cron()
        self.assertEqual(self.levels_of(self.reminders()), {clear: 7})
        statement.action_resolve("other", "Delivered after all")
        self.run_cron(1)
        self.assertEqual([self.levels_of(r) for r in self.reminders()], [{clear: 7}, {disputed: 7}])

    def test_litigation_skipped(self):
        invoice = self.due_in(self.customer, -10)
        receivable = invoice.line_ids.filtered(lambda x: x.display_type == "payment_term")
        receivable.blocked = True
        self.run_cron()
        self.assertFalse(self.reminders())
        receivable.blocked = False
        self.run_cron(1)
        self.assertEqual(self.levels_of(self.reminders()), {invoice: 7})

    def test_promise_to_pay(self):
        invoice = self.due_in(self.customer, -10)
        credit_file = self.Files._ledger_for_promise(self.customer, self.company)
        credit_file.with_user(self.accountant).action_record_promise(self.day(5), 1000.0, "Pays on the 5th")
        self.assertEqual((credit_file.promise_date, credit_file.promise_amount, credit_file.promise_note),
                         (self.day(5), 1000.0, "Pays on the 5th"))
        self.assertIn("Pays on the 5th", credit_file.message_ids[0].body)
        self.run_cron()
        self.run_cron(5)  # the promised day itself
        self.assertFalse(self.reminders())
        self.run_cron(6)
        self.assertEqual(self.levels_of(self.reminders()), {invoice: 7})

    def test_promise_arguments_and_rights(self):
        credit_file = self.Files._ledger_for_promise(self.customer, self.company)
        as_accountant = credit_file.with_user(self.accountant)
        for bad in (self.day(-1), "not a date", 42, None):
            with self.assertRaises(ValidationError):
                as_accountant.action_record_promise(bad, 10.0)
        for bad in (-1.0, "10", True):
            with self.assertRaises(ValidationError):
                as_accountant.action_record_promise(self.today, bad)
        with self.assertRaises(ValidationError):
            as_accountant.action_record_promise(self.today, 1.0, note=["a list"])
        for user in (self.ledger_user, self.invoicing_user):
            with self.assertRaises(AccessError):
                credit_file.with_user(user).action_record_promise(self.today, 1.0)
        # a string date works, as over RPC; accountants may not otherwise write the credit file
        as_accountant.action_record_promise(fields.Date.to_string(self.today), 0)
        self.assertEqual(credit_file.promise_date, self.today)
        with self.assertRaises(AccessError):
            as_accountant.write({"promise_date": self.day(3)})

    def test_tier_policy_and_default(self):
        tier = self.env["customer.ledger.tier"].create({"code": "RF", "name": "Firm Payers", "automatic": False,
                                                        "company_id": self.company.id,
                                                        "reminder_policy_id": self.firm.id})
        firm_customer = self.make_customer("Firm Customer", email="firm@example.com")
        firm_customer._ledger_profile().sudo().tier_id = tier
        firm_invoice = self.due_in(firm_customer, -1)
        self.due_in(self.customer, -1)  # Standard: nothing one day overdue
        self.run_cron()
        self.assertEqual(self.reminders(firm_customer).level_id, self.firm.level_ids.filtered(lambda x: x.days == 1))
        self.assertEqual(self.levels_of(self.reminders(firm_customer)), {firm_invoice: 1})
        self.assertFalse(self.reminders())
        # the company's default decides for customers whose tier has none
        self.company.ledger_reminder_policy_id = self.gentle
        self.run_cron(2)  # 3 days overdue: Gentle waits until 15
        self.assertFalse(self.reminders())
        tier.reminder_policy_id = False
        self.run_cron(14)  # 15 days overdue: Gentle's +15 for both customers now
        gentle_15 = self.gentle.level_ids.filtered(lambda x: x.days == 15)
        self.assertEqual(self.reminders(firm_customer).level_id.mapped("days"), [1, 15])
        self.assertEqual(self.reminders().level_id, gentle_15)
        self.company.ledger_reminder_policy_id = False  # no default: no reminders
        self.run_cron(50)
        self.assertEqual(len(self.reminders()), 1)
        self.assertEqual(len(self.reminders(firm_customer)), 2)
        # the shipped tiers and a company made after installation
        self.assertEqual(self.env.ref("customer_ledger.tier_a").sudo().reminder_policy_id, self.gentle)
        self.assertEqual(self.env.ref("customer_ledger.tier_b").sudo().reminder_policy_id, self.standard)
        self.assertEqual(self.company_2.ledger_reminder_policy_id, self.standard)
        self.assertEqual(self.env["res.company"].create({"name": "Later Co"}).ledger_reminder_policy_id,
                         self.standard)

    def test_tier_without_reminders(self):
        tier = self.env["customer.ledger.tier"].create({
            "code": "RN", "name": "Never Reminded", "automatic": False, "company_id": self.company.id,
            "reminder_policy_id": self.env.ref("customer_ledger.reminder_policy_none").id})
        quiet = self.make_customer("Quiet Customer", email="quiet@example.com")
        quiet._ledger_profile().sudo().tier_id = tier
        self.due_in(quiet, -50)
        self.due_in(self.customer, -50)  # the company's default reminds the others
        self.run_cron()
        self.assertFalse(self.reminders(quiet))
        self.assertEqual(self.reminders().level_id, self.level[45])
        tier.reminder_policy_id = False
        self.run_cron(1)
        self.assertEqual(self.reminders(quiet).level_id, self.level[45])

    def test_promise_at_most_a_year_ahead(self):
        credit_file = self.Files._ledger_for_promise(self.customer, self.company).with_user(self.accountant)
        with self.assertRaisesRegex(ValidationError, "next 365 days at most"):
            credit_file.action_record_promise(self.day(366), 10.0)
        credit_file.action_record_promise(self.day(365), 10.0)
        self.assertEqual(credit_file.promise_date, self.day(365))

    def test_call_activity(self):
        self.customer.user_id = self.invoicing_user
        self.due_in(self.customer, -21)
        self.run_cron()
        reminder = self.reminders()
        activity = reminder.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_call"))
        self.assertEqual(activity.user_id, self.invoicing_user)
        self.assertFalse(self.Files.search([("partner_id", "=", self.customer.id), ("on_hold", "=", True)]))
        # without a salesperson, the credit reviewer
        other = self.make_customer("Reviewed Customer", email="reviewed@example.com")
        self.Files._for_partner(other).user_id = self.credit_manager
        self.due_in(other, -21)
        self.run_cron()
        self.assertEqual(self.reminders(other).activity_ids.user_id, self.credit_manager)

    def test_credit_hold(self):
        self.due_in(self.customer, -44)
        self.run_cron()  # level 21: the customer's first reminder
        self.run_cron(1)  # level 45, after a reminder sent: on hold
        credit_file = self.Files.search([("partner_id", "=", self.customer.id), ("company_id", "=", self.company.id)])
        self.assertTrue(credit_file.on_hold)
        self.assertIn("has been put on credit hold", self.emails()[-1].body)
        hold = credit_file.hold_log_ids.filtered(lambda log: log.action == "hold")
        self.assertEqual(len(hold), 1)
        self.assertIn("Final Notice", hold.reason)
        self.assertFalse(self.reminders()[-1].activity_ids)
        # a later reminder at the same level for another invoice leaves the hold as it is
        self.due_in(self.customer, -46)
        self.run_cron(2)
        self.assertEqual(len(self.reminders()), 3)
        self.assertEqual(credit_file.hold_log_ids.filtered(lambda log: log.action == "hold"), hold)

    def test_first_reminder_never_holds(self):
        """Customers long overdue at installation get the final level at once, but no hold with it."""
        self.due_in(self.customer, -90)
        self.run_cron()
        reminder = self.reminders()
        self.assertEqual((reminder.state, reminder.level_id), ("sent", self.level[45]))
        credit_file = self.Files.search([("partner_id", "=", self.customer.id), ("company_id", "=", self.company.id)])
        self.assertFalse(credit_file.on_hold)
        self.assertFalse(credit_file.hold_log_ids)
        body = self.emails().body
        self.assertNotIn("has been put on credit hold", body)
        self.assertIn("otherwise your account will be put on credit", body)
        self.assertIn("Not put on credit hold", " ".join(reminder.message_ids.mapped("body")))

    def test_drafts_for_review_by_default(self):
        company = self.env["res.company"].create({"name": "Reviewing Co"})
        self.assertFalse(company.ledger_reminder_auto_send)
        self.company.ledger_reminder_auto_send = self.env["res.company"].default_get(
            ["ledger_reminder_auto_send"])["ledger_reminder_auto_send"]
        self.due_in(self.customer, -90)
        self.run_cron()
        self.assertEqual(self.reminders().mapped("state"), ["draft"])
        self.assertFalse(self.emails())
        self.assertFalse(self.Files.search([("partner_id", "=", self.customer.id), ("on_hold", "=", True)]))

    def test_review_then_send_now_or_skip(self):
        self.company.ledger_reminder_auto_send = False
        invoice = self.due_in(self.customer, -7)
        skipped_customer = self.make_customer("Skipped Customer", email="skip@example.com")
        self.due_in(skipped_customer, -7)
        self.run_cron()
        self.run_cron()  # the draft is prepared again, not made twice
        draft = self.reminders()
        self.assertEqual(draft.state, "draft")
        self.assertFalse(self.emails())
        draft.with_user(self.accountant).action_send()
        self.assertEqual(draft.state, "sent")
        self.assertEqual(self.levels_of(draft), {invoice: 7})
        self.assertEqual(len(self.emails()), 1)
        to_skip = self.reminders(skipped_customer)
        to_skip.with_user(self.accountant).action_skip()
        self.assertEqual(to_skip.state, "skipped")
        self.company.ledger_reminder_auto_send = True
        self.run_cron(1)
        self.assertEqual(self.reminders(skipped_customer), to_skip)
        self.assertFalse(self.emails(skipped_customer))
        with self.assertRaises(UserError):
            to_skip.with_user(self.accountant).action_send()

    def test_draft_dropped_once_paid(self):
        self.company.ledger_reminder_auto_send = False
        invoice = self.due_in(self.customer, -7, amount=80.0)
        self.run_cron()
        draft = self.reminders()
        self.assertEqual((draft.state, draft.line_ids.amount_residual), ("draft", 80.0))
        self.pay(invoice, self.today, 30.0)
        self.run_cron()  # prepared again with what is due now
        self.assertEqual((self.reminders(), draft.line_ids.amount_residual), (draft, 50.0))
        self.pay(invoice, self.today)
        self.run_cron()
        self.assertEqual((self.reminders(), draft.state), (draft, "cancelled"))
        with self.assertRaises(UserError):
            draft.with_user(self.accountant).action_send()

    def test_send_reminder_now_from_customer(self):
        invoice = self.due_in(self.customer, -30)
        self.customer.with_user(self.accountant).action_ledger_send_reminder()
        self.assertEqual(self.levels_of(self.reminders()), {invoice: 21})
        self.assertEqual(len(self.emails()), 1)
        with self.assertRaises(UserError):  # nothing new
            self.customer.with_user(self.accountant).action_ledger_send_reminder()
        self.run_cron()
        self.assertEqual(len(self.reminders()), 1)
        with self.assertRaises(AccessError):
            self.customer.with_user(self.ledger_user).action_ledger_send_reminder()

    def test_customer_without_email(self):
        silent = self.make_customer("Silent Customer")
        self.due_in(silent, -7)
        self.due_in(self.customer, -7)
        self.run_cron()
        draft = self.reminders(silent)
        self.assertEqual(draft.state, "draft")
        todo_type = self.env.ref("customer_ledger.mail_activity_type_reminder_email")
        self.assertEqual(draft.activity_ids.activity_type_id, todo_type)
        self.assertIn("No email address for Silent Customer", draft.activity_ids.note)
        self.assertFalse(draft.note)
        self.assertEqual(self.reminders().state, "sent")  # the others go
        # the users' own note and to-do stay; the address to-do is not scheduled twice
        draft.with_user(self.accountant).note = "Phoned: address coming"
        own_todo = draft.activity_schedule("mail.mail_activity_data_todo", summary="Mine",
                                           user_id=self.accountant.id)
        self.run_cron(1)
        self.assertEqual(self.reminders(silent), draft)
        self.assertEqual(draft.activity_ids.activity_type_id.sorted("id"),
                         (self.env.ref("mail.mail_activity_data_todo") | todo_type).sorted("id"))
        self.assertEqual(len(draft.activity_ids), 2)
        with self.assertRaises(UserError):
            draft.with_user(self.accountant).action_send()
        # with an invoice address that has one, it goes there
        invoice_address = self.env["res.partner"].create({"name": "Accounts", "type": "invoice",
                                                          "parent_id": silent.id, "email": "acc@silent.example"})
        draft.with_user(self.accountant).action_send()
        self.assertEqual((draft.state, draft.recipient_id), ("sent", invoice_address))
        self.assertEqual(draft.activity_ids, own_todo)  # the address to-do is done, the user's own stays
        self.assertEqual(draft.note, "Phoned: address coming")
        self.assertEqual(draft.mail_message_id.notification_ids.res_partner_id, invoice_address)

    def test_one_company_failing_does_not_stop_the_others(self):
        here = self.due_in(self.customer, -7)
        there = self.due_in(self.customer, -7, company=self.company_2)
        Model = type(self.Reminders)
        prepare = Model._ledger_prepare

        def failing_prepare(failing):
            def _prepare(records, company, today, partners=None):
                if company == failing:
                    records.env["customer.ledger.reminder"].sudo().create({  # undone with its savepoint
                        "partner_id": self.customer.id, "company_id": company.id})
                    raise RuntimeError("bad data")
                return prepare(records, company, today, partners)
            return _prepare

        with patch.object(Model, "_ledger_prepare", failing_prepare(self.company)), \
                mute_logger("odoo.addons.customer_ledger.models.customer_ledger_reminder"):
            self.run_cron()
        self.assertFalse(self.reminders())
        self.assertEqual(self.levels_of(self.reminders(company=self.company_2)), {there: 7})
        with patch.object(Model, "_ledger_prepare", failing_prepare(self.company_2)), \
                mute_logger("odoo.addons.customer_ledger.models.customer_ledger_reminder"):
            self.run_cron(1)
        self.assertEqual(self.levels_of(self.reminders()), {here: 7})
        self.assertEqual(len(self.reminders(company=self.company_2)), 1)

    def test_one_reminder_failing_stays_draft(self):
        other = self.make_customer("Other Customer", email="other@example.com")
        self.due_in(self.customer, -7)
        self.due_in(other, -7)
        Model = type(self.Reminders)
        post = Model._ledger_post_email

        def failing_post(reminder, recipient):
            if reminder.partner_id == self.customer:
                raise RuntimeError("mail server on fire")
            return post(reminder, recipient)

        with patch.object(Model, "_ledger_post_email", failing_post), \
                mute_logger("odoo.addons.customer_ledger.models.customer_ledger_reminder"):
            self.run_cron()
        self.assertEqual(self.reminders().state, "draft")
        self.assertEqual(self.reminders(other).state, "sent")

    def test_email_in_recipient_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.customer.lang = "en_US"
        self.due_in(self.customer, -7)
        self.company.ledger_reminder_auto_send = False
        self.run_cron()
        reminder = self.reminders()
        template = reminder.level_id.mail_template_id
        self.assertEqual(reminder.mail_partner_id, self.customer)
        self.assertEqual(template._render_lang(reminder.ids)[reminder.id], "en_US")
        accounts = self.env["res.partner"].create({"name": "Comptabilité", "type": "invoice", "lang": "fr_FR",
                                                   "parent_id": self.customer.id, "email": "compta@example.com"})
        reminder.invalidate_recordset(["mail_partner_id"])
        self.assertEqual(reminder.mail_partner_id, accounts)
        self.assertEqual(template._render_lang(reminder.ids)[reminder.id], "fr_FR")

    def test_multi_company(self):
        here = self.due_in(self.customer, -7)
        there = self.due_in(self.customer, -7, company=self.company_2)
        self.run_cron()
        self.assertEqual(self.levels_of(self.reminders()), {here: 7})
        self.assertEqual(self.levels_of(self.reminders(company=self.company_2)), {there: 7})
        visible = self.Reminders.with_user(self.accountant).search([("partner_id", "=", self.customer.id)])
        self.assertEqual(visible, self.reminders())
        with self.assertRaises(AccessError):
            self.reminders(company=self.company_2).with_user(self.accountant).action_skip()

    def test_access_per_group(self):
        self.company.ledger_reminder_auto_send = False
        self.due_in(self.customer, -7)
        self.run_cron()
        draft = self.reminders()
        # ledger users read reminders and policies, and change nothing
        self.assertEqual(draft.with_user(self.ledger_user).line_ids.level_id, self.level[7])
        self.assertTrue(self.standard.with_user(self.ledger_user).level_ids)
        for action in ("action_send", "action_skip", "action_cancel"):
            with self.assertRaises(AccessError):
                getattr(draft.with_user(self.ledger_user), action)()
        with self.assertRaises(AccessError):
            draft.with_user(self.ledger_user).write({"note": "x"})
        with self.assertRaises(AccessError):
            self.standard.with_user(self.ledger_user).name = "Mine"
        # the robot sees nothing
        with self.assertRaises(AccessError):
            draft.with_user(self.robot).read(["state"])
        with self.assertRaises(AccessError):
            self.standard.with_user(self.robot).read(["name"])
        # accountants write the note only, create nothing, delete no sent reminder
        draft.with_user(self.accountant).note = "Checked"
        with self.assertRaises(UserError):
            draft.with_user(self.accountant).write({"state": "sent"})
        with self.assertRaises(UserError):
            self.Reminders.with_user(self.accountant).create({"partner_id": self.customer.id})
        with self.assertRaises(UserError):
            draft.line_ids.with_user(self.accountant).write({"amount_residual": 1.0})
        draft.with_user(self.accountant).action_send()
        with self.assertRaises(UserError):
            draft.with_user(self.accountant).unlink()
        # credit managers set the policies
        self.standard.with_user(self.credit_manager).level_ids[0].name = "Heads-up"

    def test_arguments_and_guarantees(self):
        with self.assertRaises(ValidationError):
            self.Reminders._cron_ledger_reminders(commit=False, today="2026-01-01")
        with self.assertRaises(psycopg2.IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.env["customer.ledger.reminder.level"].create({
                "policy_id": self.standard.id, "name": "Twice", "days": 7,
                "mail_template_id": self.level[7].mail_template_id.id})
        with self.assertRaises(ValidationError):
            self.env["customer.ledger.reminder.level"].create({
                "policy_id": self.standard.id, "name": "Far", "days": -120,
                "mail_template_id": self.level[7].mail_template_id.id})
        # the database refuses a second sent reminder of the same level for the same invoice
        invoice = self.due_in(self.customer, -7)
        self.run_cron()
        sent = self.reminders()
        Reminders = self.Reminders.sudo()
        with self.assertRaises(psycopg2.IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            again = Reminders.create({"partner_id": self.customer.id, "company_id": self.company.id,
                                      "level_id": self.level[7].id, "state": "sent"})
            self.env["customer.ledger.reminder.line"].sudo().create({
                "reminder_id": again.id, "move_id": invoice.id, "level_id": self.level[7].id})
            self.env.flush_all()
        self.assertEqual(sent.line_ids.move_id, invoice)
