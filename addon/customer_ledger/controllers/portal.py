# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Statements of account on the customer portal: the customer's list, a statement's page (also
reached through the emailed link with its access token, without logging in), its PDF, and the
customer's answer while it is sent: confirm the balance, or dispute lines."""
from werkzeug.exceptions import Forbidden
from werkzeug.urls import url_encode

from odoo import _, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request
from odoo.tools import consteq

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..lib.portal_attachment import MAX_BYTES

STATEMENT = "customer.ledger.statement"
REPORT = "customer_ledger.customer_ledger_statement_report_action"
SESSION_HISTORY = "my_ledger_statements_history"


class CustomerLedgerPortal(CustomerPortal):

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "ledger_statement_count" in counters:
            Statements = request.env[STATEMENT]
            values["ledger_statement_count"] = (
                Statements.search_count(self._ledger_statements_domain())
                if Statements.check_access_rights("read", raise_exception=False) else 0)
        return values

    def _ledger_statements_domain(self):
        """The statements sent to the user's company (record rules keep other customers' apart)."""
        return [("partner_id", "=", request.env.user.partner_id.commercial_partner_id.id), ("state", "!=", "draft")]

    def _ledger_statement_sortings(self):
        return {
            "date": {"label": _("Period End"), "order": "date_to desc, id desc"},
            "name": {"label": _("Reference"), "order": "name desc"},
            "state": {"label": _("Status"), "order": "state, date_to desc"},
        }

    @http.route(["/my/statements", "/my/statements/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_ledger_statements(self, page=1, sortby=None, **kw):
        Statements = request.env[STATEMENT]
        readable = Statements.check_access_rights("read", raise_exception=False)
        domain = self._ledger_statements_domain()
        sortings = self._ledger_statement_sortings()
        sortby = sortby if sortby in sortings else "date"
        pager = portal_pager(url="/my/statements", url_args={"sortby": sortby},
                             total=Statements.search_count(domain) if readable else 0, page=page,
                             step=self._items_per_page)
        statements = Statements.search(domain, order=sortings[sortby]["order"], limit=self._items_per_page,
                                       offset=pager["offset"]) if readable else Statements
        request.session[SESSION_HISTORY] = statements.ids[:100]
        values = self._prepare_portal_layout_values()
        values.update({
            "statements": statements, "page_name": "ledger_statement", "pager": pager,
            "default_url": "/my/statements", "searchbar_sortings": sortings, "sortby": sortby,
        })
        return request.render("customer_ledger.portal_my_ledger_statements", values)

    def _ledger_statement_check_access(self, statement_id, access_token):
        """The statement, as superuser, if the user may see it: by the record rules or its access
        token; a draft only by the rules (an accountant's preview), never by a token."""
        statement_sudo = self._document_check_access(STATEMENT, statement_id, access_token)
        if statement_sudo.state == "draft":
            statement = statement_sudo.with_user(request.env.user)
            statement.check_access_rights("read")
            statement.check_access_rule("read")
        return statement_sudo

    @http.route(["/my/statements/<int:statement_id>"], type="http", auth="public", website=True)
    def portal_my_ledger_statement(self, statement_id, access_token=None, report_type=None, download=False, **kw):
        try:
            statement_sudo = self._ledger_statement_check_access(statement_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        if report_type in ("html", "pdf", "text"):
            return self._show_report(model=statement_sudo, report_type=report_type, report_ref=REPORT,
                                     download=download)
        return self._ledger_render_statement(statement_sudo, access_token, answered=bool(kw.get("answered")))

    def _ledger_render_statement(self, statement_sudo, access_token, error=None, form=None, answered=False):
        """The statement's page; after a refused answer, with the ``error`` and the ``form`` as filled."""
        values = {
            "page_name": "ledger_statement", "statement": statement_sudo, "answered": answered,
            "ledger_error": error, "ledger_form": form or {},
            "ledger_attachment_max_mb": MAX_BYTES // (1024 * 1024),
            "ledger_default_name": "" if request.env.user._is_public() else request.env.user.name,
            "ledger_may_answer": self._ledger_may_answer(statement_sudo, access_token),
        }
        values = self._get_page_view_values(statement_sudo, access_token, values, SESSION_HISTORY, False)
        response = request.render("customer_ledger.portal_ledger_statement_page", values)
        if error:
            response.status_code = 400
        return response

    # ------------------------------------------------------------------
    # The customer's answer
    # ------------------------------------------------------------------

    def _ledger_answer_access(self, statement_id, access_token):
        """The statement, as superuser, if the user may answer for the customer (see
        :meth:`_ledger_may_answer`); else 403."""
        try:
            statement_sudo = self._ledger_statement_check_access(statement_id, access_token)
        except (AccessError, MissingError) as error:
            raise Forbidden() from error
        if not self._ledger_may_answer(statement_sudo, access_token):
            raise Forbidden()
        return statement_sudo

    def _ledger_may_answer(self, statement_sudo, access_token):
        """Only the customer answers: through the emailed link (the statement's access token), or
        as one of its portal users. Internal users who may read the statement (Ledger Users, Credit
        Managers...) do not answer for the customer here: accountants record answers in the back
        office, where the statement's buttons check their rights."""
        token = statement_sudo.access_token
        if access_token and token and consteq(token, access_token):
            return True
        user = request.env.user
        return (user.share and not user._is_public()
                and user.partner_id.commercial_partner_id == statement_sudo.partner_id)

    def _ledger_redirect_answered(self, statement_sudo, access_token, answered):
        query = {"answered": answered}
        if access_token:
            query["access_token"] = access_token
        return request.redirect(f"{statement_sudo.access_url}?{url_encode(query)}")

    @http.route(["/my/statements/<int:statement_id>/confirm"], type="http", auth="public", methods=["POST"],
                website=True)
    def portal_ledger_statement_confirm(self, statement_id, access_token=None, name=None, **kw):
        statement_sudo = self._ledger_answer_access(statement_id, access_token)
        try:
            with request.env.cr.savepoint():
                statement_sudo._ledger_portal_confirm(name, request.env.user)
        except (UserError, ValidationError) as error:
            return self._ledger_render_statement(statement_sudo, access_token, error=error.args[0],
                                                 form={"name": name})
        return self._ledger_redirect_answered(statement_sudo, access_token, "confirmed")

    @http.route(["/my/statements/<int:statement_id>/dispute"], type="http", auth="public", methods=["POST"],
                website=True)
    def portal_ledger_statement_dispute(self, statement_id, access_token=None, name=None, comment=None, **kw):
        statement_sudo = self._ledger_answer_access(statement_id, access_token)
        form = {"name": name, "comment": comment}
        try:
            line_ids = self._ledger_form_ids(request.httprequest.form.getlist("line_ids"))
            form["line_ids"] = line_ids
            upload = request.httprequest.files.get("attachment")
            attachment = None
            if upload and upload.filename:
                attachment = (upload.filename, upload.read(MAX_BYTES + 1))
            with request.env.cr.savepoint():
                statement_sudo._ledger_portal_dispute(name, request.env.user, line_ids, comment, attachment)
        except (UserError, ValidationError) as error:
            return self._ledger_render_statement(statement_sudo, access_token, error=error.args[0], form=form)
        return self._ledger_redirect_answered(statement_sudo, access_token, "disputed")

    @staticmethod
    def _ledger_form_ids(values):
        try:
            return [int(value) for value in values]
        except ValueError as error:
            raise ValidationError(_("The disputed lines are a list of line ids.")) from error
