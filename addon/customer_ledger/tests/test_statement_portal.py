# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import re
from datetime import date

from odoo import fields, http
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, tagged
from odoo.tests.common import new_test_user

from ..lib.portal_attachment import MAX_BYTES, check_attachment
from .common import LedgerCreditCommon

FROM, TO = date(2026, 3, 1), date(2026, 3, 31)
DISPUTE_ACTIVITY = "customer_ledger.mail_activity_type_statement_dispute"
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"


class LedgerStatementPortalCommon(LedgerCreditCommon):
    """A customer with an invoice address and a portal user among its contacts, invoiced 1000 and
    500 and credited 200 in March 2026; a responsible accountant; a statement of March, sent."""

    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        common = {"company_id": cls.company.id, "company_ids": [(6, 0, cls.company.ids)]}
        cls.accountant = new_test_user(cls.env, login="portal_accountant", name="Ada Accountant",
                                       groups="customer_ledger.group_reconciliation_accountant", **common)
        cls.Statements = cls.env["customer.ledger.statement"]
        cls.customer = cls.make_customer("Portal Customer", email="hello@portal-customer.example.com")
        cls.billing = cls.env["res.partner"].create({
            "name": "Portal Customer Accounts", "type": "invoice", "parent_id": cls.customer.id,
            "email": "ap@portal-customer.example.com"})
        cls.portal_user = new_test_user(cls.env, login="portal_pat", name="Pat Portal", groups="base.group_portal",
                                        **common)
        cls.portal_user.partner_id.parent_id = cls.customer
        cls.other = cls.make_customer("Other Customer", email="ap@other-customer.example.com")
        cls.inv_1 = cls.invoice(cls.customer, "2026-03-05", "2026-04-04", 1000)
        cls.inv_2 = cls.invoice(cls.customer, "2026-03-12", "2026-04-11", 500)
        cls.refund = cls.invoice(cls.customer, "2026-03-20", "2026-03-20", 200, move_type="out_refund")
        cls.invoice(cls.other, "2026-03-07", "2026-04-06", 80)
        cls.statement = cls.make_statement(cls.customer)
        cls.statement.with_user(cls.accountant).action_send()
        cls.other_statement = cls.make_statement(cls.other)
        cls.other_statement.with_user(cls.accountant).action_send()

    @classmethod
    def make_statement(cls, partner, user=None):
        return cls.Statements.with_user(user or cls.accountant).create({
            "partner_id": partner.id, "date_from": FROM, "date_to": TO})

    def attachments(self, statement, **values):
        domain = [("res_model", "=", statement._name), ("res_id", "=", statement.id)]
        return self.env["ir.attachment"].search(domain + [(name, "=", value) for name, value in values.items()])

    def dispute_activities(self, statement):
        activity_type = self.env.ref(DISPUTE_ACTIVITY)
        return statement.activity_ids.filtered(lambda activity: activity.activity_type_id == activity_type)


@tagged("post_install", "-at_install")
class TestStatementPortalMail(LedgerStatementPortalCommon):
    """Sending statements by email, the customer's answer through the model, the dispute's
    activity and the corrected statement."""

    def mails_to(self, statement, partner):
        return self.env["mail.mail"].search([("model", "=", statement._name), ("res_id", "=", statement.id),
                                             ("recipient_ids", "in", partner.ids)])

    def test_figures_of_the_fixture(self):
        self.assertEqual((self.statement.closing_balance, len(self.statement.line_ids)), (1300, 3))
        self.assertEqual(self.statement.mail_partner_id, self.billing)
        self.assertEqual(self.statement.access_url, f"/my/statements/{self.statement.id}")

    def test_send_emails_the_invoice_address_with_pdf_and_portal_link(self):
        statements = self.make_statement(self.customer) | self.make_statement(self.other)
        statements.with_context(force_report_rendering=True).action_send()
        today = fields.Date.context_today(statements)
        self.assertEqual(statements.mapped("state"), ["sent", "sent"])
        self.assertEqual(statements.mapped("sent_date"), [today, today])
        for statement, address in zip(statements, (self.billing, self.other), strict=True):
            mail = self.mails_to(statement, address)
            self.assertEqual(len(mail), 1)
            self.assertEqual(mail.state, "outgoing")
            self.assertEqual(mail.recipient_ids, address)
            self.assertIn("Statement of Account", mail.subject)
            self.assertIn(self.company.name, mail.subject)
            self.assertIn("03/01/2026", mail.subject)
            self.assertTrue(statement.access_token)
            link = f"{statement.get_base_url()}/my/statements/{statement.id}?access_token={statement.access_token}"
            self.assertIn(link, mail.body_html)
            self.assertIn(statement.currency_id.format(statement.closing_balance).replace("\xa0", "&nbsp;"),
                          mail.body_html)
            self.assertEqual(len(mail.attachment_ids), 1)
            pdf = mail.attachment_ids
            self.assertTrue(pdf.name.endswith(".pdf"), pdf.name)
            self.assertEqual(pdf.mimetype, "application/pdf")
            self.assertTrue(pdf.raw.startswith(b"%PDF"))
            message = statement.message_ids.filtered(lambda m: m.message_type == "comment")
            self.assertEqual((message.partner_ids, message.attachment_ids), (address, pdf))
        self.assertNotIn(self.customer, statements.message_follower_ids.partner_id)

    def test_send_refused_unless_every_customer_has_an_email(self):
        silent = self.make_customer("Silent Customer")
        self.invoice(silent, "2026-03-09", "2026-04-08", 40)
        statements = self.make_statement(self.customer) | self.make_statement(silent)
        with self.assertRaisesRegex(UserError, "Silent Customer"):
            statements.action_send()
        self.assertEqual(statements.mapped("state"), ["draft", "draft"])
        self.assertFalse(self.env["mail.mail"].search([("model", "=", statements._name),
                                                       ("res_id", "in", statements.ids)]))
        with self.assertRaises(UserError):
            statements[1].action_send_mail()

    def test_send_by_email_composer_marks_sent(self):
        statement = self.make_statement(self.customer)
        action = statement.with_user(self.accountant).action_send_mail()
        composer = self.env["mail.compose.message"].with_user(self.accountant).with_context(
            action["context"], force_report_rendering=True).create({})
        self.assertEqual(composer.partner_ids, self.billing)
        self.assertEqual(composer.attachment_ids.mimetype, "application/pdf")
        self.assertIn("access_token=", composer.body)
        composer._action_send_mail()
        self.assertEqual(statement.state, "sent")
        message = statement.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertEqual(message.partner_ids, self.billing)
        self.assertEqual(message.attachment_ids.mimetype, "application/pdf")
        with self.assertRaises(AccessError):
            statement.with_user(self.ledger_user).action_send_mail()

    def test_back_office_dispute_schedules_activity_resolve_marks_it_done(self):
        statement = self.statement.with_user(self.accountant)
        statement.action_dispute("The credit note is missing", statement.line_ids[:1].ids)
        activity = self.dispute_activities(statement)
        self.assertEqual((activity.user_id, activity.date_deadline, activity.summary),
                         (self.accountant, fields.Date.context_today(statement), "Statement disputed"))
        self.assertIn("The credit note is missing", activity.note)
        statement.action_resolve("customer_mistaken", "It was on the statement")
        self.assertFalse(self.dispute_activities(statement))
        done = self.env["mail.message"].search([("model", "=", statement._name), ("res_id", "=", statement.id),
                                                ("mail_activity_type_id", "=", self.env.ref(DISPUTE_ACTIVITY).id)])
        self.assertEqual(len(done), 1)

    def test_activity_falls_back_to_the_creator(self):
        statement = self.make_statement(self.other)
        statement.write({"user_id": False})
        statement.action_send()
        statement.action_dispute("Not ours")
        self.assertEqual(self.dispute_activities(statement).user_id, self.accountant)

    def test_resolve_issues_corrected_statement(self):
        statement = self.statement.with_user(self.accountant)
        statement.action_dispute("Goods returned: 300 to credit", statement.line_ids[1:2].ids)
        self.invoice(self.customer, "2026-03-25", "2026-03-25", 300, move_type="out_refund")
        action = statement.action_resolve("credit_note", "Credit note for the returned goods", corrected=True)
        corrected = self.Statements.browse(action["res_id"])
        self.assertEqual((action["res_model"], action["view_mode"]), ("customer.ledger.statement", "form"))
        self.assertEqual((corrected.state, corrected.partner_id, corrected.company_id, corrected.date_from,
                          corrected.date_to, corrected.user_id),
                         ("draft", self.customer, self.company, FROM, TO, self.accountant))
        self.assertEqual((corrected.closing_balance, len(corrected.line_ids)), (1000, 4))
        self.assertEqual((statement.state, statement.closing_balance), ("resolved", 1300))
        self.assertEqual((statement.corrected_statement_id, corrected.origin_statement_id), (corrected, statement))
        self.assertFalse(self.dispute_activities(statement))
        with self.assertRaises(ValidationError):
            corrected.action_resolve(corrected="yes")

    def test_resolve_and_correct_button_uses_the_form_fields(self):
        statement = self.statement.with_user(self.accountant)
        statement.action_dispute("Wrong")
        statement.write({"resolution_outcome": "payment_found"})
        action = statement.action_resolve_corrected()
        self.assertEqual(statement.state, "resolved")
        self.assertEqual(statement.corrected_statement_id.id, action["res_id"])
        self.assertFalse(statement.with_user(self.ledger_user).corrected_statement_id.origin_statement_id
                         - statement)

    def test_wizard_sets_the_responsible(self):
        wizard = self.env["customer.ledger.statement.wizard"].with_user(self.accountant).create({
            "date_from": FROM, "date_to": TO, "partner_ids": [(6, 0, self.other.ids)]})
        self.assertEqual(wizard.user_id, self.accountant)
        wizard.user_id = self.credit_manager
        statement = self.Statements.browse(wizard.action_generate()["res_id"])
        self.assertEqual((statement.partner_id, statement.user_id), (self.other, self.credit_manager))
        statement.action_send()
        statement.with_user(self.accountant).action_dispute("Not ours")
        self.assertEqual(self.dispute_activities(statement).user_id, self.credit_manager)

    def test_wizard_keeps_the_responsible_of_existing_drafts(self):
        draft = self.make_statement(self.other)
        wizard = self.env["customer.ledger.statement.wizard"].with_user(self.accountant).create({
            "date_from": FROM, "date_to": TO, "partner_ids": [(6, 0, (self.other | self.customer).ids)],
            "user_id": self.credit_manager.id})
        statements = self.Statements.search(wizard.action_generate()["domain"])
        self.assertEqual(len(statements), 2)
        self.assertIn(draft, statements)
        self.assertEqual(draft.user_id, self.accountant, "refreshed, not handed over")
        self.assertEqual((statements - draft).user_id, self.credit_manager)

    def test_email_in_the_recipients_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.customer.lang = "en_US"
        self.billing.lang = "fr_FR"
        template = self.env.ref("customer_ledger.customer_ledger_statement_mail_template")
        self.assertEqual(self.statement.mail_partner_id, self.billing)
        self.assertEqual(template._render_lang(self.statement.ids), {self.statement.id: "fr_FR"})
        self.billing.lang = False
        self.assertEqual(template._render_lang(self.statement.ids), {self.statement.id: "en_US"})

    def test_portal_user_reads_its_sent_statements_only(self):
        draft = self.make_statement(self.customer)
        Statements = self.Statements.with_user(self.portal_user)
        self.assertEqual(Statements.search([]), self.statement)
        self.assertEqual(len(self.statement.with_user(self.portal_user).line_ids), 3)
        for statement in (draft, self.other_statement):
            with self.assertRaises(AccessError):
                statement.with_user(self.portal_user).read(["closing_balance"])
        as_portal = self.statement.with_user(self.portal_user)
        for action in (as_portal.action_confirm, as_portal.action_dispute, as_portal.action_send):
            with self.assertRaises(AccessError):
                action()
        with self.assertRaises(AccessError):
            as_portal.write({"dispute_comment": "mine"})
        # the back office's own fields: who is responsible, who recorded what, the internal notes
        for name in ("note", "user_id", "confirmed_by", "resolved_by", "resolution_outcome", "resolution_note"):
            with self.assertRaises(AccessError, msg=name):
                as_portal.read([name])
        self.assertEqual(as_portal.read(["state", "closing_balance", "dispute_comment", "portal_answer_name"])[0]
                         ["closing_balance"], 1300)

    def test_portal_confirm_records_who_answered(self):
        statement = self.statement.sudo()
        statement._ledger_portal_confirm("  Pat Portal ", self.portal_user)
        self.assertEqual((statement.state, statement.confirmed_balance, statement.confirmed_by,
                          statement.portal_answer_name, statement.portal_partner_id),
                         ("confirmed", 1300, self.portal_user, "Pat Portal", self.portal_user.partner_id))
        self.assertEqual(statement.message_ids[0].author_id, self.portal_user.partner_id)
        with self.assertRaises(UserError):
            statement._ledger_portal_dispute("Pat", self.portal_user, [], "Too late")

    def test_portal_answer_through_the_link_is_the_customer(self):
        statement = self.statement.sudo()
        public = self.env.ref("base.public_user")
        with self.assertRaises(UserError):
            statement._ledger_portal_confirm("   ", public)
        with self.assertRaises(ValidationError):
            statement._ledger_portal_confirm("x" * 129, public)
        statement._ledger_portal_dispute("Jo", public, statement.line_ids[:1].ids, "Paid already",
                                         ("receipt.csv", b"date,amount\n2026-03-06,1000\n"))
        self.assertEqual((statement.portal_partner_id, statement.portal_answer_name), (self.customer, "Jo"))
        attachment = statement.message_ids.filtered(lambda m: "Paid already" in m.body).attachment_ids
        self.assertEqual((attachment.name, attachment.mimetype, attachment.res_id), ("receipt.csv", "text/csv",
                                                                                     statement.id))

    def test_attachment_check(self):
        self.assertEqual(check_attachment("a.pdf", PDF), ("application/pdf", None))
        self.assertEqual(check_attachment("a.TXT", b"hello\tworld\r\n"), ("text/plain", None))
        self.assertEqual(check_attachment("a.pdf", b""), (None, "empty"))
        self.assertEqual(check_attachment("a.pdf", PDF + b"0" * MAX_BYTES), (None, "too_big"))
        self.assertEqual(check_attachment("a.exe", EXE), (None, "type"))
        self.assertEqual(check_attachment("a.pdf", EXE), (None, "type"))  # the content decides
        self.assertEqual(check_attachment("a.txt", EXE), (None, "type"))
        self.assertEqual(check_attachment("a.png", PDF), (None, "type"))
        self.assertEqual(check_attachment("noextension", PDF), (None, "type"))


@tagged("post_install", "-at_install")
class TestStatementPortalHttp(LedgerStatementPortalCommon, HttpCase):
    """The portal pages and the customer's answer over HTTP, and a portal user's dispute in the
    browser."""

    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        assert http.root.statics  # see test_ui.py: read the manifests once, before the browser
        cls.token = cls.statement._portal_ensure_token()

    def page(self, statement, token=None, **params):
        query = "&".join(f"{key}={value}" for key, value in dict(params, access_token=token or "").items())
        return self.url_open(f"/my/statements/{statement.id}?{query}", allow_redirects=False)

    def answer(self, what, data, files=None, token=None):
        """POST an answer to the statement with the session's CSRF token (from a page showing the
        forms), as the current session, with ``token`` (default: the right one; empty: none)."""
        statement = self.statement
        if not getattr(self, "csrf", None):
            page = self.page(statement, self.token)
            self.csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        token = self.token if token is None else token
        data = dict({"csrf_token": self.csrf}, **({"access_token": token} if token else {}), **data)
        response = self.url_open(f"/my/statements/{statement.id}/{what}", data=data, files=files,
                                 allow_redirects=False)
        self.env.invalidate_all()
        return response

    def test_page_needs_the_token(self):
        for token in (None, "wrong-token"):
            response = self.page(self.statement, token)
            self.assertEqual(response.status_code, 303)
            self.assertTrue(response.headers["Location"].endswith("/my"), response.headers["Location"])
        response = self.page(self.statement, self.token)
        self.assertEqual(response.status_code, 200)
        for text in ("Opening Balance", "Closing Balance", "1,300.00", "Confirm the Balance", "Not Due"):
            self.assertIn(text, response.text)
        pdf = self.page(self.statement, self.token, report_type="pdf", download=1)
        self.assertEqual((pdf.status_code, pdf.headers["Content-Type"]), (200, "application/pdf"))

    def test_wrong_token_cannot_answer(self):
        response = self.answer("confirm", {"name": "Mallory"}, token="wrong-token")
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.statement.state, "sent")

    def test_internal_users_do_not_answer_for_the_customer(self):
        """A Ledger User or Credit Manager reads the statement (the record rules let it) but
        answers only with the customer's token: accountants record answers in the back office."""
        lines = self.statement.line_ids[:1]
        for user in (self.ledger_user, self.credit_manager):
            self.authenticate(user.login, user.login)
            self.csrf = None
            page = self.page(self.statement)
            self.assertEqual(page.status_code, 200)
            self.assertIn("Closing Balance", page.text)
            self.assertNotIn("ledger_statement_confirm_form", page.text)
            self.assertNotIn('name="line_ids"', page.text)
            for what, data in (("confirm", {"name": user.name}),
                               ("dispute", {"name": user.name, "comment": "Not ours", "line_ids": lines.id})):
                for token in ("", "wrong-token"):
                    response = self.answer(what, data, token=token)
                    self.assertEqual(response.status_code, 403, (user.login, what, token))
            self.assertEqual(self.statement.state, "sent")
            self.assertFalse(self.statement.line_ids.filtered("disputed"))
            self.assertFalse(self.statement.portal_answer_name)
        # with the customer's token, from the emailed link, the answer is accepted
        self.assertEqual(self.answer("confirm", {"name": "Jo Customer"}).status_code, 303)
        self.assertEqual(self.statement.state, "confirmed")

    def test_portal_user_answers_for_its_own_customer_only(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        page = self.page(self.statement)
        self.assertIn("ledger_statement_confirm_form", page.text)
        self.csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        self.assertEqual(self.answer("confirm", {"name": "Pat"}, token="").status_code, 303)
        self.assertEqual((self.statement.state, self.statement.confirmed_by), ("confirmed", self.portal_user))

    def test_aging_in_the_readers_language(self):
        """The statement's figures were computed by an English-speaking accountant: a Chinese portal
        user reads its aging in Chinese."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["customer_ledger"], ["zh_CN"], overwrite=True)
        self.portal_user.lang = "zh_CN"
        self.authenticate(self.portal_user.login, self.portal_user.login)
        page = self.url_open(self.statement.access_url)  # by way of the URL in the user's language
        self.assertEqual(page.status_code, 200)
        for text in ("期初余额", "未到期", "90 天以上", "1-30"):
            self.assertIn(text, page.text)
        for text in ("Not Due", "Over 90"):
            self.assertNotIn(text, page.text)

    def test_confirm_with_the_token(self):
        response = self.answer("confirm", {"name": "Jo Customer"})
        self.assertEqual(response.status_code, 303)
        self.assertIn("answered=confirmed", response.headers["Location"])
        self.assertEqual((self.statement.state, self.statement.confirmed_balance, self.statement.portal_answer_name,
                          self.statement.portal_partner_id, self.statement.confirmed_by),
                         ("confirmed", 1300, "Jo Customer", self.customer, self.env["res.users"]))
        page = self.page(self.statement, self.token)
        self.assertIn("confirmed on", page.text)
        self.assertNotIn("Confirm the Balance", page.text)
        # answering twice is refused
        response = self.answer("dispute", {"name": "Jo", "comment": "Changed my mind",
                                           "line_ids": self.statement.line_ids[0].id})
        self.assertEqual(response.status_code, 400)
        self.assertIn("it cannot be disputed", response.text)
        self.assertEqual(self.statement.state, "confirmed")
        self.assertFalse(self.statement.line_ids.filtered("disputed"))

    def test_dispute_two_lines_with_attachment(self):
        lines = self.statement.line_ids[:2]
        response = self.answer("dispute", {"name": "Jo Customer", "comment": "Invoice 2 was cancelled",
                                           "line_ids": lines.ids},
                               files={"attachment": ("cancellation.pdf", PDF, "application/pdf")})
        self.assertEqual(response.status_code, 303, response.text[:2000])
        self.assertEqual(self.statement.state, "disputed")
        self.assertEqual(self.statement.line_ids.filtered("disputed"), lines)
        self.assertEqual(lines.mapped("dispute_comment"), ["Invoice 2 was cancelled"] * 2)
        attachment = self.attachments(self.statement, mimetype="application/pdf", name="cancellation.pdf")
        self.assertEqual((attachment.name, attachment.mimetype, attachment.raw), ("cancellation.pdf",
                                                                                  "application/pdf", PDF))
        self.assertIn(attachment, self.statement.message_ids.attachment_ids)
        activity = self.dispute_activities(self.statement)
        self.assertEqual(activity.user_id, self.accountant)
        page = self.page(self.statement, self.token)
        self.assertIn("Invoice 2 was cancelled", page.text)
        self.assertNotIn('name="line_ids"', page.text)

    def assert_refused(self, data, files=None, status=400):
        attachments = self.attachments(self.statement)  # the PDF sent by email
        response = self.answer("dispute", dict({"name": "Jo"}, **data), files=files)
        self.assertEqual(response.status_code, status, response.text[:2000])
        self.assertEqual(self.statement.state, "sent")
        self.assertFalse(self.statement.line_ids.filtered("disputed"))
        self.assertEqual(self.attachments(self.statement), attachments)
        return response

    def test_dispute_refusals(self):
        line = self.statement.line_ids[0].id
        response = self.assert_refused({"comment": "Too big", "line_ids": line},
                                       {"attachment": ("big.pdf", PDF + b"0" * MAX_BYTES, "application/pdf")})
        self.assertIn("larger than 10 MB", response.text)
        self.assert_refused({"comment": "Program", "line_ids": line},
                            {"attachment": ("tool.exe", EXE, "application/octet-stream")})
        self.assert_refused({"comment": "Disguised", "line_ids": line},
                            {"attachment": ("tool.pdf", EXE, "application/pdf")})
        self.assert_refused({"comment": "Not mine", "line_ids": self.other_statement.line_ids[0].id})
        self.assert_refused({"comment": "Bad id", "line_ids": "x"})
        self.assert_refused({"comment": "   ", "line_ids": line})
        self.assert_refused({"comment": "x" * 4001, "line_ids": line})
        self.assert_refused({"comment": "No CSRF", "line_ids": line, "csrf_token": "forged"}, status=400)

    def test_control_characters_are_refused_with_a_400(self):
        line = self.statement.line_ids[0].id
        for bad in ("\x00", "\x1b", "\x7f"):
            response = self.assert_refused({"name": f"Jo{bad}", "comment": "Fine", "line_ids": line})
            self.assertIn("Your name holds a control character", response.text)
            response = self.assert_refused({"comment": f"Invoice 2{bad} was cancelled", "line_ids": line})
            self.assertIn("Your comment holds a control character", response.text)
            if bad != "\x00":  # requests sends a NUL in a file name as %00: see below
                response = self.assert_refused({"comment": "With a file", "line_ids": line},
                                               {"attachment": (f"cancel{bad}.pdf", PDF, "application/pdf")})
                self.assertIn("name holds a control character", response.text)
            response = self.answer("confirm", {"name": f"Jo{bad}"})
            self.assertEqual(response.status_code, 400, response.text[:2000])
            self.assertIn("Your name holds a control character", response.text)
            self.assertEqual(self.statement.state, "sent")
        # a raw NUL in the file name, as a hand-made request sends it
        boundary = "ledgerboundary"
        parts = [(f'name="{key}"', value.encode()) for key, value in (
            ("csrf_token", self.csrf), ("access_token", self.token), ("name", "Jo"), ("comment", "Raw"),
            ("line_ids", str(line)))]
        parts.append(('name="attachment"; filename="cancel\x00.pdf"\r\nContent-Type: application/pdf', PDF))
        body = b"".join(b"--%s\r\nContent-Disposition: form-data; %s\r\n\r\n%s\r\n" % (
            boundary.encode(), header.encode(), value) for header, value in parts) + b"--%s--\r\n" % boundary.encode()
        response = self.url_open(f"/my/statements/{self.statement.id}/dispute", data=body, allow_redirects=False,
                                 headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        self.env.invalidate_all()
        self.assertEqual(response.status_code, 400, response.text[:2000])
        self.assertIn("name holds a control character", response.text)
        self.assertEqual(self.statement.state, "sent")
        # tabs and line breaks are text
        response = self.answer("dispute", {"name": "Jo", "comment": "Invoice 2:\r\n\tcancelled", "line_ids": line})
        self.assertEqual(response.status_code, 303, response.text[:2000])

    def test_drafts_not_on_the_portal(self):
        draft = self.make_statement(self.customer)
        token = draft._portal_ensure_token()
        self.assertEqual(self.page(draft, token).status_code, 303)
        self.authenticate(self.portal_user.login, self.portal_user.login)
        listing = self.url_open("/my/statements")
        self.assertEqual(listing.status_code, 200)
        self.assertIn(self.statement.name, listing.text)
        self.assertNotIn(draft.name, listing.text)
        self.assertNotIn(self.other_statement.name, listing.text)
        self.assertEqual(self.page(self.statement).status_code, 200)  # its own, without the token
        self.assertEqual(self.page(self.other_statement).status_code, 303)
        counters = self.url_open("/my/counters", data=json.dumps({
            "jsonrpc": "2.0", "method": "call", "params": {"counters": ["ledger_statement_count"]}}),
            headers={"Content-Type": "application/json"})
        self.assertEqual(counters.json()["result"], {"ledger_statement_count": 1})

    def test_portal_user_disputes_in_the_browser(self):
        self.start_tour("/my/statements", "customer_ledger_portal_dispute_tour", login=self.portal_user.login)
        self.env.invalidate_all()
        first = self.statement.line_ids[0]
        self.assertEqual(self.statement.state, "disputed")
        self.assertEqual(self.statement.line_ids.filtered("disputed"), first)
        self.assertEqual(first.dispute_comment, "Tour: goods returned")
        self.assertEqual((self.statement.portal_partner_id, self.statement.portal_answer_name),
                         (self.portal_user.partner_id, "Pat Portal"))
        attachment = self.attachments(self.statement, name="receipt.txt")
        self.assertEqual((attachment.raw, attachment.mimetype), (b"Returned goods receipt", "text/plain"))
        self.assertIn(attachment, self.statement.message_ids.attachment_ids)
        self.assertEqual(self.dispute_activities(self.statement).user_id, self.accountant)
