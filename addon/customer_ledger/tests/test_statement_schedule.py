# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import BaseCase, tagged
from odoo.tests.common import new_test_user
from odoo.tools.safe_eval import safe_eval

from ..lib.statement_periods import last_ended_period
from .common import LedgerCreditCommon

D = date.fromisoformat
MARCH = (D("2026-03-01"), D("2026-03-31"))
APRIL = (D("2026-04-01"), D("2026-04-30"))
Q1 = (D("2026-01-01"), D("2026-03-31"))
LOGGER = "odoo.addons.customer_ledger.models.customer_ledger_statement"


@tagged("post_install", "-at_install")
class TestStatementPeriods(BaseCase):
    """The last period of each frequency that ended before a day."""

    def check(self, frequency, cases):
        for today, period in cases:
            with self.subTest(frequency=frequency, today=today):
                self.assertEqual(last_ended_period(frequency, D(today)), (D(period[0]), D(period[1])))

    def test_monthly(self):
        self.check("monthly", [
            ("2026-01-01", ("2025-12-01", "2025-12-31")),
            ("2026-03-31", ("2026-02-01", "2026-02-28")),  # March has not ended yet on its last day
            ("2026-04-01", ("2026-03-01", "2026-03-31")),
            ("2024-03-01", ("2024-02-01", "2024-02-29")),  # leap year
            ("2024-03-31", ("2024-02-01", "2024-02-29")),
        ])

    def test_quarterly(self):
        self.check("quarterly", [
            ("2026-01-01", ("2025-10-01", "2025-12-31")),
            ("2026-03-31", ("2025-10-01", "2025-12-31")),
            ("2026-04-01", ("2026-01-01", "2026-03-31")),
            ("2026-06-30", ("2026-01-01", "2026-03-31")),
            ("2026-07-01", ("2026-04-01", "2026-06-30")),
            ("2026-12-31", ("2026-07-01", "2026-09-30")),
            ("2024-04-15", ("2024-01-01", "2024-03-31")),
        ])

    def test_weekly(self):
        self.check("weekly", [
            ("2026-03-23", ("2026-03-16", "2026-03-22")),  # a Monday: the week ended yesterday
            ("2026-03-29", ("2026-03-16", "2026-03-22")),  # a Sunday: this week ends today, not yet over
            ("2026-03-30", ("2026-03-23", "2026-03-29")),
            ("2026-01-01", ("2025-12-22", "2025-12-28")),  # across the year
            ("2024-03-04", ("2024-02-26", "2024-03-03")),  # across a leap February
        ])

    def test_none_and_unknown(self):
        self.assertIsNone(last_ended_period("none", D("2026-04-01")))
        with self.assertRaises(ValueError):
            last_ended_period("daily", D("2026-04-01"))


@tagged("post_install", "-at_install")
class TestStatementSchedule(LedgerCreditCommon):
    """Customers of tiers with each frequency, customers without a tier, without activity and of
    another company, and the statements the daily scheduled action makes of them."""

    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        common = {"company_id": cls.company.id, "company_ids": [(6, 0, cls.company.ids)]}
        cls.accountant = new_test_user(cls.env, login="schedule_accountant",
                                       groups="customer_ledger.group_reconciliation_accountant", **common)
        cls.Statements = cls.env["customer.ledger.statement"]
        Tiers = cls.env["customer.ledger.tier"]
        tiers = {frequency: Tiers.create({
            "code": f"S{frequency[0].upper()}", "name": f"{frequency} statements", "automatic": False,
            "company_id": cls.company.id, "statement_frequency": frequency})
            for frequency in ("monthly", "quarterly", "weekly", "none")}

        def customer(name, frequency=None):
            partner = cls.make_customer(name, email=f"{name.split()[0].lower()}@example.com")
            if frequency:
                cls.env["customer.ledger.profile"].create({
                    "partner_id": partner.id, "company_id": cls.company.id, "tier_id": tiers[frequency].id})
            return partner

        cls.monthly = customer("Monthly Customer", "monthly")
        cls.quarterly = customer("Quarterly Customer", "quarterly")
        cls.weekly = customer("Weekly Customer", "weekly")
        cls.never = customer("Never Customer", "none")
        cls.untiered = customer("Untiered Customer")
        cls.quiet = customer("Quiet Customer", "monthly")
        cls.settled = customer("Settled Customer", "monthly")
        cls.invoice(cls.monthly, "2026-03-10", "2026-04-09", 100)
        cls.invoice(cls.quarterly, "2026-02-10", "2026-03-12", 200)
        cls.invoice(cls.weekly, "2026-03-25", "2026-04-24", 300)
        cls.invoice(cls.never, "2026-03-05", "2026-04-04", 400)
        cls.invoice(cls.untiered, "2026-03-12", "2026-04-11", 500)
        cls.pay(cls.invoice(cls.settled, "2026-01-05", "2026-02-04", 600), "2026-01-20")
        # the other company: no tiers there, its own default
        cls.company_2.ledger_statement_frequency = "quarterly"
        cls.other = customer("Other-Company Customer")
        cls.invoice(cls.other, "2026-03-10", "2026-04-09", 700, company=cls.company_2)
        cls.invoice(cls.monthly, "2026-03-11", "2026-04-10", 800, company=cls.company_2)
        cls.ours = (cls.monthly | cls.quarterly | cls.weekly | cls.never | cls.untiered | cls.quiet | cls.settled
                    | cls.other)

    def run_cron(self, today, user=None):
        Statements = self.Statements.with_user(user) if user else self.Statements
        made = Statements._cron_ledger_statements(commit=False, today=D(today))
        return made.filtered(lambda statement: statement.partner_id in self.ours)

    def periods(self, statements):
        return {(s.partner_id, s.company_id, s.date_from, s.date_to) for s in statements}

    def test_first_day_of_a_quarter(self):
        made = self.run_cron("2026-04-01")
        self.assertEqual(self.periods(made), {
            (self.monthly, self.company, *MARCH),
            (self.quarterly, self.company, *Q1),
            (self.weekly, self.company, D("2026-03-23"), D("2026-03-29")),
            (self.untiered, self.company, *MARCH),  # the company's default frequency
            (self.other, self.company_2, *Q1),  # the other company's default
            (self.monthly, self.company_2, *Q1),  # no tier in the other company
        })
        self.assertEqual(set(made.mapped("state")), {"draft"})
        monthly = made.filtered(lambda s: s.partner_id == self.monthly and s.company_id == self.company)
        self.assertEqual(monthly.closing_balance, 100.0)
        self.assertEqual(len(monthly.line_ids), 1)

    def test_first_day_of_a_month(self):
        self.run_cron("2026-04-01")
        made = self.run_cron("2026-05-01")
        self.assertEqual(self.periods(made), {
            (self.monthly, self.company, *APRIL),  # still owes: a balance is activity
            (self.untiered, self.company, *APRIL),
            (self.weekly, self.company, D("2026-04-20"), D("2026-04-26")),
        })

    def test_never_twice(self):
        first = self.run_cron("2026-04-01")
        first.filtered(lambda s: s.partner_id == self.monthly)[:1].action_send()
        self.assertFalse(self.run_cron("2026-04-01"))
        self.assertFalse(self.run_cron("2026-04-05"))
        count = self.Statements.search_count([("partner_id", "in", self.ours.ids)])
        self.assertEqual(count, len(first))

    def test_deleted_draft_not_made_again(self):
        """A period is run once: a draft an accountant deletes stays deleted, and a customer active
        in the period after it ran waits for the next one."""
        made = self.run_cron("2026-04-01")
        draft = made.filtered(lambda s: s.partner_id == self.monthly and s.company_id == self.company)
        draft.with_user(self.accountant).unlink()
        late = self.make_customer("Late Customer", email="late@example.com")
        self.invoice(late, "2026-03-20", "2026-04-19", 90)
        self.assertFalse(self.Statements._cron_ledger_statements(commit=False, today=D("2026-04-02")))
        self.assertFalse(self.Statements.search([("partner_id", "in", (self.monthly | late).ids),
                                                 ("company_id", "=", self.company.id)]))
        runs = self.env["customer.ledger.statement.schedule"].search([("company_id", "=", self.company.id)])
        self.assertEqual({(run.frequency, run.date_from, run.date_to) for run in runs}, {
            ("monthly", *MARCH), ("quarterly", *Q1), ("weekly", D("2026-03-23"), D("2026-03-29"))})
        made = self.Statements._cron_ledger_statements(commit=False, today=D("2026-05-01"))
        self.assertEqual(made.filtered(lambda s: s.partner_id == late).mapped("date_from"), [APRIL[0]])

    def test_runs_access(self):
        self.run_cron("2026-04-01")
        Runs = self.env["customer.ledger.statement.schedule"]
        ours = Runs.search([("company_id", "=", self.company.id)])
        theirs = Runs.search([("company_id", "=", self.company_2.id)])
        self.assertEqual((len(ours), theirs.frequency), (3, "quarterly"))
        self.assertEqual(Runs.with_user(self.ledger_user).search([]), ours)
        with self.assertRaises(AccessError):
            theirs.with_user(self.ledger_user).read(["date_to"])
        for user in (self.accountant, self.credit_manager):
            with self.assertRaises(AccessError):
                ours[:1].with_user(user).unlink()
            with self.assertRaises(AccessError):
                Runs.with_user(user).create({"company_id": self.company.id, "frequency": "monthly",
                                             "date_from": APRIL[0], "date_to": APRIL[1]})
        with self.assertRaises(AccessError):
            ours.with_user(self.robot).read(["date_to"])

    def test_one_company_failing_does_not_stop_the_others(self):
        Statement = type(self.Statements)
        schedule = Statement._ledger_schedule_company

        def failing(statements, company, today):
            if company == self.company:
                schedule(statements, company, today)  # made, then rolled back
                raise RuntimeError("Company broken")
            return schedule(statements, company, today)

        self.patch(Statement, "_ledger_schedule_company", failing)
        with self.assertLogs(LOGGER, level="ERROR") as logs:
            made = self.run_cron("2026-04-01")
        self.assertEqual(self.periods(made), {(self.other, self.company_2, *Q1), (self.monthly, self.company_2, *Q1)})
        self.assertFalse(self.Statements.search([("company_id", "=", self.company.id),
                                                 ("partner_id", "in", self.ours.ids)]))
        self.assertFalse(self.env["customer.ledger.statement.schedule"].search([("company_id", "=", self.company.id)]))
        self.assertEqual(str(logs.records[0].exc_info[1]), "Company broken")
        self.assertIn(self.company.name, logs.output[0])

    def test_auto_send_goes_on_after_an_unexpected_error(self):
        self.company.ledger_statement_auto_send = True
        Statement = type(self.Statements)
        send = Statement.action_send

        def action_send(statements):
            result = send(statements)
            if self.untiered in statements.partner_id:
                raise RuntimeError("Mail server on fire")
            return result

        self.patch(Statement, "action_send", action_send)
        with self.assertLogs(LOGGER, level="ERROR"):
            made = self.run_cron("2026-04-01").filtered(lambda s: s.company_id == self.company)
        failed = made.filtered(lambda s: s.partner_id == self.untiered)
        self.assertEqual((failed.state, failed.sent_date), ("draft", False))
        self.assertIn("Mail server on fire", failed.message_ids[:1].body)
        self.assertEqual(set((made - failed).mapped("state")), {"sent"})

    def test_one_made_by_hand_counts(self):
        by_hand = self.Statements.create({"partner_id": self.monthly.id, "date_from": MARCH[0],
                                          "date_to": MARCH[1]})
        made = self.run_cron("2026-04-01")
        self.assertNotIn(self.monthly, made.filtered(lambda s: s.company_id == self.company).partner_id)
        self.assertEqual(self.Statements.search([("partner_id", "=", self.monthly.id),
                                                 ("company_id", "=", self.company.id)]), by_hand)

    def test_catching_up(self):
        """The scheduled action did not run on the 1st: the 3rd makes March's statements, and only
        the last ended period's."""
        made = self.run_cron("2026-04-03")
        self.assertIn((self.monthly, self.company, *MARCH), self.periods(made))
        self.assertIn((self.quarterly, self.company, *Q1), self.periods(made))
        made = self.run_cron("2026-06-10")
        monthly = made.filtered(lambda s: s.partner_id == self.monthly and s.company_id == self.company)
        self.assertEqual((monthly.date_from, monthly.date_to), (D("2026-05-01"), D("2026-05-31")))

    def test_company_default_frequency(self):
        self.company.ledger_statement_frequency = "quarterly"
        made = self.run_cron("2026-04-01")
        self.assertIn((self.untiered, self.company, *Q1), self.periods(made))
        self.assertIn((self.monthly, self.company, *MARCH), self.periods(made), "the tier's frequency first")
        self.company.ledger_statement_frequency = "none"
        self.assertFalse(self.run_cron("2026-05-01").filtered(lambda s: s.partner_id == self.untiered))

    def test_no_activity_no_statement(self):
        made = self.run_cron("2026-04-01")
        self.assertFalse(made.filtered(lambda s: s.partner_id in (self.quiet | self.settled | self.never)))

    def test_auto_send(self):
        self.company.ledger_statement_auto_send = True
        made = self.run_cron("2026-04-01")
        self.assertEqual(set(made.filtered(lambda s: s.company_id == self.company).mapped("state")), {"sent"})
        self.assertEqual(set(made.filtered(lambda s: s.company_id == self.company_2).mapped("state")), {"draft"},
                         "the other company does not send its scheduled statements")

    def test_auto_send_goes_on_when_one_cannot_be_sent(self):
        self.company.ledger_statement_auto_send = True
        Statement = type(self.Statements)
        send = Statement.action_send
        refused = self.untiered

        def action_send(statements):
            result = send(statements)  # marks it sent, then fails: rolled back
            if refused in statements.partner_id:
                raise UserError("No email address")  # pylint: disable=translation-required
            return result

        self.patch(Statement, "action_send", action_send)
        made = self.run_cron("2026-04-01").filtered(lambda s: s.company_id == self.company)
        failed = made.filtered(lambda s: s.partner_id == refused)
        self.assertEqual(failed.state, "draft")
        self.assertFalse(failed.sent_date)
        self.assertIn("No email address", failed.message_ids[:1].body)
        self.assertEqual(set((made - failed).mapped("state")), {"sent"})
        self.assertEqual(len(made - failed), 3)

    def test_rights(self):
        with self.assertRaises(AccessError):
            self.run_cron("2026-04-01", user=self.ledger_user)
        with self.assertRaises(ValidationError):
            self.Statements._cron_ledger_statements(commit=False, today="2026-04-01")
        made = self.run_cron("2026-04-01", user=self.accountant)
        self.assertEqual(made.company_id, self.company, "an accountant makes those of its own companies")

    def test_responsible(self):
        """Scheduled statements are the company's responsible's, and so are their disputes' activities;
        without one, an accountant of the company gets them, never OdooBot, which runs the action."""
        activity_type = self.env.ref("customer_ledger.mail_activity_type_statement_dispute")

        def dispute(statement):
            statement.action_send()
            statement.action_dispute(comment="Not ours", line_ids=statement.line_ids[:1].ids)
            return statement.activity_ids.filtered(lambda a: a.activity_type_id == activity_type).user_id

        manager = new_test_user(self.env, login="schedule_manager", groups="account.group_account_manager",
                                company_id=self.company.id, company_ids=[(6, 0, self.company.ids)])
        self.company.ledger_statement_user_id = manager
        made = self.run_cron("2026-04-01").filtered(lambda s: s.company_id == self.company)
        self.assertEqual(made.user_id, manager)
        self.assertEqual(dispute(made.filtered(lambda s: s.partner_id == self.monthly)), manager)

        self.company.ledger_statement_user_id = False
        made = self.run_cron("2026-05-01", user=self.env.ref("base.user_root")).filtered(
            lambda s: s.company_id == self.company)
        monthly = made.filtered(lambda s: s.partner_id == self.monthly)
        self.assertEqual(monthly.user_id, self.company._ledger_pick_user(), "not the scheduled action's OdooBot")
        responsible = dispute(monthly)
        self.assertEqual(responsible, monthly.user_id)
        self.assertFalse(responsible._is_superuser())
        self.assertTrue(responsible.has_group("customer_ledger.group_reconciliation_accountant"))
        self.assertIn(self.company, responsible.company_ids)

    def test_odoobot_neither_responsible_nor_sender(self):
        """The scheduled action runs as OdooBot: without a company responsible, its statements are an
        accountant's of the company, and their emails come from that accountant, else the company."""
        root = self.env.ref("base.user_root")
        self.company.ledger_statement_auto_send = True
        accountant = self.company._ledger_pick_user()
        self.assertTrue(accountant.has_group("customer_ledger.group_reconciliation_accountant"))
        self.assertFalse(accountant._is_superuser())
        made = self.run_cron("2026-04-01", user=root).filtered(lambda s: s.company_id == self.company)
        self.assertEqual(len(made), 4)
        self.assertEqual(made.user_id, accountant)
        self.assertEqual(set(made.mapped("state")), {"sent"})
        mails = self.env["mail.mail"].search([("model", "=", made._name), ("res_id", "in", made.ids)])
        self.assertEqual(len(mails), 4)
        self.assertEqual(set(mails.mapped("email_from")), {accountant.email_formatted})
        self.assertNotIn(root.email, " ".join(mails.mapped("email_from")))
        # a responsible without an email: the company's
        accountant.email = False
        self.company.email = "accounts@company.example.com"
        made = self.run_cron("2026-05-01", user=root).filtered(lambda s: s.company_id == self.company)
        mails = self.env["mail.mail"].search([("model", "=", made._name), ("res_id", "in", made.ids)])
        self.assertTrue(mails)
        self.assertEqual(set(mails.mapped("email_from")), {self.company.email_formatted})
        # nobody's address (no catchall either): OdooBot does not stand in, the statements wait as drafts
        self.company.write({"email": False, "alias_domain_id": False})
        self.assertFalse(self.company.email_formatted)
        made = self.run_cron("2026-06-01", user=root).filtered(lambda s: s.company_id == self.company)
        self.assertTrue(made)
        self.assertEqual(set(made.mapped("state")), {"draft"})
        self.assertFalse(self.env["mail.mail"].search([("model", "=", made._name), ("res_id", "in", made.ids)]))
        self.assertIn("give an email address to the responsible", made[:1].message_ids[:1].body)

    def test_company_responsible_domain(self):
        """Only internal users of the company are offered as its scheduled statements' responsible,
        in the company's record and in the settings."""
        outsider = new_test_user(self.env, login="schedule_outsider", groups="account.group_account_manager",
                                 company_id=self.company_2.id, company_ids=[(6, 0, self.company_2.ids)])
        Users = self.env["res.users"].with_context(active_test=False)
        company_domain = self.company._fields["ledger_statement_user_id"].domain
        settings_domain = self.env["res.config.settings"]._fields["ledger_statement_user_id"].domain
        offered = Users.search(safe_eval(company_domain, {"id": self.company.id}))
        self.assertEqual(offered, Users.search(safe_eval(settings_domain, {"company_id": self.company.id})))
        self.assertIn(self.accountant, offered)
        self.assertNotIn(outsider, offered)
        self.assertFalse(offered.filtered("share"))
