# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from collections import defaultdict

from rapidfuzz import fuzz, process

from odoo import Command, _, api, fields, models, modules, tools
from odoo.exceptions import AccessError, UserError, ValidationError

from ..lib.matching import (
    BankLine,
    OpenItem,
    Settings,
    compact,
    decide,
    explained,
    normalize_text,
    propose,
    text_keys,
    typo_number_keys,
)

_logger = logging.getLogger(__name__)

MATCH_STATES = [
    ("new", "Not Matched Yet"),
    ("unmatched", "No Match"),
    ("suggested", "Suggested"),
    ("reconciled", "Reconciled"),
]
SHAPES = [
    ("exact", "Exact"),
    ("writeoff", "Difference Written Off"),
    ("partial", "Partial Payment"),
    ("overpayment", "Overpayment"),
]
# how many open items of one payer, or of one amount, the matcher looks at
MAX_ITEMS_PER_PARTNER = 200
MAX_ITEMS_PER_AMOUNT = 30
# a suggestion this sure keeps its items from being guessed for another payment
RESERVING_CONFIDENCE = 0.5


class AccountBankStatementLine(models.Model):
    _inherit = "account.bank.statement.line"

    # Community 17 has no ``unique_import_id``: this is the module's own, set by whoever
    # imports the line (syncd sends a deterministic key per transaction).
    ledger_import_key = fields.Char(
        string="Import Key",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Identity of the transaction at its source. A re-import of the same "
        "transaction finds this key and creates nothing.",
    )
    # The key is unique per company; the company lives on the move (``_inherits``), so it
    # is stored here too for the SQL constraint.
    ledger_company_id = fields.Many2one(
        related="move_id.company_id",
        store=True,
        string="Ledger Company",
    )
    ledger_feed = fields.Char(string="Feed", readonly=True, copy=False)
    ledger_source_file = fields.Char(string="Source File", readonly=True, copy=False)
    ledger_batch = fields.Char(string="Import Batch", readonly=True, copy=False)
    ledger_structured_ref = fields.Char(
        string="Structured Reference",
        readonly=True,
        copy=False,
        help="Creditor reference (ISO 11649 RF, QRR, ...) given by the bank.",
    )
    ledger_bank_ref = fields.Char(string="Bank Reference", readonly=True, copy=False)
    ledger_end_to_end_id = fields.Char(string="End-to-End Id", readonly=True, copy=False)
    ledger_raw_record = fields.Text(
        string="Source Record",
        readonly=True,
        copy=False,
        help="The transaction as the importer read it from its source, for audit.",
    )
    ledger_match_state = fields.Selection(
        MATCH_STATES, string="Matching", default="new", required=True, readonly=True, copy=False, index=True
    )
    ledger_confidence = fields.Float(string="Confidence", readonly=True, copy=False, digits=(3, 3))
    ledger_match_reason = fields.Char(string="Why", readonly=True, copy=False)
    ledger_suggested_line_ids = fields.Many2many(
        "account.move.line",
        "customer_ledger_suggestion_rel",
        "statement_line_id",
        "move_line_id",
        string="Suggested Items",
        readonly=True,
        copy=False,
    )
    ledger_suggested_move_ids = fields.Many2many(
        "account.move", string="Suggested Invoices", compute="_compute_ledger_suggested_move_ids"
    )
    ledger_suggested_shape = fields.Selection(SHAPES, string="Suggested As", readonly=True, copy=False)
    ledger_reconciled_how = fields.Selection(
        [("auto", "Automatically"), ("accepted", "Suggestion Accepted"), ("manual", "By Hand")],
        string="Reconciled",
        readonly=True,
        copy=False,
    )

    _sql_constraints = [
        (
            "ledger_import_key_company_uniq",
            "unique(ledger_import_key, ledger_company_id)",
            "A bank transaction with this import key already exists in this company.",
        ),
    ]

    @api.depends("ledger_suggested_line_ids")
    def _compute_ledger_suggested_move_ids(self):
        for line in self:
            line.ledger_suggested_move_ids = line.ledger_suggested_line_ids.move_id

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_ledger_match(self):
        """Match again (new invoices may have arrived), reconciling what is sure."""
        self._check_ledger_reconcile_rights()
        self._ledger_match()

    def action_ledger_accept_suggestion(self):
        """Apply each line's stored suggestion, as the accountant accepts it."""
        self._check_ledger_reconcile_rights()
        for line in self:
            if line.is_reconciled or not line.ledger_suggested_line_ids:
                raise UserError(_("%s has no suggestion to accept.", line.display_name))
            line._ledger_apply_proposal(line.ledger_suggested_line_ids, line.ledger_suggested_shape, "accepted")
            line._ledger_remember_payer()

    def action_ledger_reconcile_wizard(self):
        """Reconcile this transaction by hand."""
        self.ensure_one()
        self._check_ledger_reconcile_rights()
        return self.env["customer.ledger.reconcile.wizard"]._open_for(self)

    def action_undo_reconciliation(self):
        result = super().action_undo_reconciliation()
        self.write({"ledger_match_state": "new", "ledger_reconciled_how": False, "ledger_confidence": 0,
                    "ledger_match_reason": False, "ledger_suggested_line_ids": [Command.clear()],
                    "ledger_suggested_shape": False})
        return result

    @api.model
    def _check_ledger_reconcile_rights(self):
        if not self.env.user.has_group("account.group_account_user"):
            raise AccessError(_("Only accountants may reconcile bank transactions."))

    # ------------------------------------------------------------------
    # Matching
    # ------------------------------------------------------------------

    def _ledger_match(self, auto=True):
        """Propose open items for each line; apply the proposals that are sure enough.

        :return: ``{line_id: {"state", "confidence", "reason", "invoice_ids"}}``
        """
        outcome = {}
        todo = self.filtered(lambda line: not line.is_reconciled)
        for line in self - todo:
            outcome[line.id] = line._ledger_outcome()
        for company in todo.company_id:
            company_lines = todo.filtered(lambda line, c=company: line.company_id == c)
            candidates = company_lines._ledger_candidates()
            taken = set()  # items reconciled for an earlier line of this batch
            # items suggested for another open line: not the ones to guess "oldest first"
            reserved = company_lines._ledger_reserved_items(
                {item.id for _line, items, _settings in candidates.values() for item in items})
            for line in company_lines:
                bank_line, items, settings = candidates[line.id]
                proposals = propose(bank_line, [item for item in items if item.id not in taken], settings,
                                    reserved=reserved)
                decision = decide(proposals, settings)
                line._ledger_store_decision(decision, auto and company.ledger_auto_reconcile)
                if line.is_reconciled:
                    taken.update(decision.best.item_ids)
                elif decision.best and decision.best.confidence >= RESERVING_CONFIDENCE:
                    # the next payment of the same amount goes to the next oldest item
                    reserved.update(decision.best.item_ids)
                outcome[line.id] = line._ledger_outcome()
        return outcome

    def _ledger_reserved_items(self, aml_ids):
        """Which of ``aml_ids`` another open bank line, not in ``self``, has as a suggestion
        with some evidence behind it."""
        if not aml_ids:
            return set()
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT DISTINCT rel.move_line_id
              FROM customer_ledger_suggestion_rel rel
              JOIN account_bank_statement_line st ON st.id = rel.statement_line_id
             WHERE rel.move_line_id = ANY(%(amls)s) AND st.id != ALL(%(lines)s)
               AND st.is_reconciled IS NOT TRUE AND st.ledger_confidence >= %(confidence)s
            """,
            {"amls": list(aml_ids), "lines": self.ids, "confidence": RESERVING_CONFIDENCE},
        )
        return {row[0] for row in self.env.cr.fetchall()}

    def _ledger_store_decision(self, decision, may_apply):
        self.ensure_one()
        if not decision.best:
            self.write({"ledger_match_state": "unmatched", "ledger_confidence": 0,
                        "ledger_match_reason": _("No open item looks like this payment."),
                        "ledger_suggested_line_ids": [Command.clear()], "ledger_suggested_shape": False})
            return
        best = decision.best
        amls = self.env["account.move.line"].browse(best.item_ids)
        self.write({
            "ledger_match_state": "suggested",
            "ledger_confidence": best.confidence,
            "ledger_match_reason": best.explanation,
            "ledger_suggested_line_ids": [Command.set(amls.ids)],
            "ledger_suggested_shape": best.shape,
        })
        if not decision.automatic:
            self.ledger_match_reason = f"{best.explanation} ({decision.reason})"
        if not (decision.automatic and may_apply):
            return
        try:
            with self.env.cr.savepoint():
                self._ledger_apply_proposal(amls, best.shape, "auto")
        except (UserError, ValidationError) as exc:
            _logger.info("Automatic reconciliation of %s left as a suggestion: %s", self.display_name, exc)
            self.ledger_match_reason = _("%(reason)s (not applied: %(error)s)", reason=best.explanation, error=exc)

    def _ledger_outcome(self):
        self.ensure_one()
        if self.is_reconciled:
            state = "reconciled"
            invoices = self._ledger_reconciled_moves()
        else:
            state = "suggested" if self.ledger_match_state == "suggested" else "unmatched"
            invoices = self.ledger_suggested_line_ids.move_id
        return {"state": state, "confidence": self.ledger_confidence, "reason": self.ledger_match_reason or "",
                "invoice_ids": invoices.ids}

    def _ledger_reconciled_moves(self):
        lines = self.move_id.line_ids
        partials = lines.matched_debit_ids | lines.matched_credit_ids
        moves = (partials.debit_move_id | partials.credit_move_id).move_id - self.move_id
        return moves.filtered(lambda move: move.is_invoice(include_receipts=True))

    def _ledger_settings(self, currency):
        company = self.company_id
        tolerance = company.ledger_tolerance_amount
        if currency != company.currency_id:
            tolerance = company.currency_id._convert(tolerance, currency, company, self.date or fields.Date.today())
        return Settings(
            threshold=company.ledger_match_threshold,
            margin=company.ledger_match_margin,
            tolerance=round(tolerance * 10**currency.decimal_places),
            tolerance_percent=company.ledger_tolerance_percent,
            can_write_off=bool(company.ledger_writeoff_account_id),
            oldest_first=company.ledger_oldest_first,
        )

    def _ledger_transaction(self):
        """``(amount, currency)`` of the line as the bank moved it."""
        self.ensure_one()
        if self.foreign_currency_id:
            return self.amount_currency, self.foreign_currency_id
        return self.amount, self.currency_id

    def _ledger_candidates(self):
        """For each line of one company: ``(BankLine, [OpenItem], Settings)``.

        Open receivable items are found with a few indexed queries for the whole batch: by
        the references the texts could hold, by the payers known by bank account, remembered
        mapping or a name like theirs, and by amount. For the lines that none of these items
        explains, also by the invoice numbers one typo away from the numbers in their text.
        """
        company = self.company_id
        company.ensure_one()
        self.env.flush_all()  # the queries below read open items as they are now, not as last flushed
        receivables = self.env["account.account"].search([
            ("company_id", "=", company.id), ("account_type", "=", "asset_receivable"), ("reconcile", "=", True),
        ]).ids
        memory = self.env["customer.ledger.counterparty"]._partners_for(
            company, [(line.account_number, line.partner_name) for line in self if not line.partner_id]
        )
        partner_names = self._ledger_open_partner_names(receivables)
        lines = {}
        for line in self:
            amount, currency = line._ledger_transaction()
            partner = line.partner_id.commercial_partner_id.id
            source = ("account" if line.account_number else "line") if partner else ""
            if not partner and (line.account_number, line.partner_name) in memory:
                partner, source = memory[(line.account_number, line.partner_name)], "memory"
            text = " ".join(filter(None, (line.payment_ref, line.ledger_structured_ref)))
            named = []
            if not partner and line.partner_name and partner_names:
                named = [match[2] for match in process.extract(
                    normalize_text(line.partner_name), partner_names, scorer=fuzz.token_set_ratio,
                    score_cutoff=Settings.name_min_score, limit=3)]
            lines[line] = {
                "amount": amount, "currency": currency, "partner": partner, "source": source, "text": text,
                "keys": text_keys(text) | ({compact(line.ledger_structured_ref)} - {""}), "named": named,
            }

        found = defaultdict(set)  # line id -> aml ids
        by_key = self._ledger_items_by_key(receivables, set().union(*(v["keys"] for v in lines.values())))
        partners = {v["partner"] for v in lines.values() if v["partner"]} | {
            p for v in lines.values() for p in v["named"]}
        by_partner = self._ledger_items_by_partner(receivables, partners)
        by_amount = self._ledger_items_by_amount(
            receivables, {(v["currency"].id, v["amount"]) for v in lines.values() if v["amount"] > 0})
        for line, info in lines.items():
            for key in info["keys"]:
                found[line.id].update(by_key.get(key, ()))
            for partner in [info["partner"], *info["named"]]:
                found[line.id].update(by_partner.get(partner, ()))
            found[line.id].update(by_amount.get((info["currency"].id, info["amount"]), ()))

        details = self._ledger_item_details(set().union(*found.values()) if found else set())
        result = {}
        for line, info in lines.items():
            currency = info["currency"]
            units = 10**currency.decimal_places
            items = [line._ledger_open_item(details[aml_id], currency, units) for aml_id in sorted(found[line.id])]
            bank_line = BankLine(
                id=line.id,
                amount=round(info["amount"] * units),
                date=line.date,
                text=info["text"],
                structured_ref=line.ledger_structured_ref or "",
                partner_id=info["partner"] or 0,
                partner_source=info["source"],
                counterparty_name=line.partner_name or "",
            )
            result[line.id] = (bank_line, items, line._ledger_settings(currency))
        self._ledger_add_mistyped(result, lines, receivables)
        return result

    def _ledger_add_mistyped(self, result, lines, receivables):
        """For the lines that no candidate explains, add the open items whose number is one
        typo away from a number in the text."""
        typos = {}
        for line, info in lines.items():
            bank_line, items, settings = result[line.id]
            if bank_line.amount > 0 and not explained(bank_line, items, settings):
                typos[line] = typo_number_keys(info["text"])
        by_typo = self._ledger_items_by_key(receivables, set().union(*typos.values()) if typos else set(),
                                            columns=("ledger_number_key",))
        if not by_typo:
            return
        details = self._ledger_item_details(set().union(*by_typo.values()))
        for line, keys in typos.items():
            bank_line, items, settings = result[line.id]
            known = {item.id for item in items}
            mistyped = sorted({aml_id for key in keys for aml_id in by_typo.get(key, ())} - known)
            currency = lines[line]["currency"]
            items.extend(line._ledger_open_item(details[aml_id], currency, 10**currency.decimal_places)
                         for aml_id in mistyped)

    def _ledger_residual_in_transaction_currency(self, currency, residual, residual_currency, transaction_currency):
        """An open item's residual in this line's transaction currency, at the bank's rate."""
        if currency == transaction_currency:
            return residual_currency
        return -self._prepare_counterpart_amounts_using_st_line_rate(
            currency, -residual, -residual_currency)["amount_currency"]

    def _ledger_open_item(self, row, currency, units):
        residual = self._ledger_residual_in_transaction_currency(
            self.env["res.currency"].browse(row["currency_id"]), row["amount_residual"],
            row["amount_residual_currency"], currency)
        return OpenItem(
            id=row["id"],
            partner_id=row["partner_id"] or 0,
            residual=round(residual * units),
            date=row["date"],
            references=tuple(ref for ref in (row["name"], row["payment_reference"], row["ref"]) if ref),
            partner_name=row["partner_name"] or "",
        )

    _OPEN_RECEIVABLE = """
        aml.account_id = ANY(%(accounts)s)
        AND (aml.reconciled IS NULL OR aml.reconciled = false OR aml.reconciled IS NOT true)
        AND aml.parent_state = 'posted'
    """

    _KEY_COLUMNS = ("ledger_name_key", "ledger_number_key", "ledger_payref_key", "ledger_ref_key")

    def _ledger_items_by_key(self, accounts, keys, columns=_KEY_COLUMNS):
        if not keys or not accounts:
            return {}
        assert set(columns) <= set(self._KEY_COLUMNS)
        self.env.cr.execute(
            f"""
            SELECT aml.id, {", ".join(f"m.{column}" for column in columns)}
              FROM account_move m JOIN account_move_line aml ON aml.move_id = m.id
             WHERE ({" OR ".join(f"m.{column} = ANY(%(keys)s)" for column in columns)})
               AND {self._OPEN_RECEIVABLE}
            """,  # noqa: S608 - no user input in the format, only constant SQL
            {"keys": list(keys), "accounts": accounts},
        )
        by_key = defaultdict(set)
        for aml_id, *move_keys in self.env.cr.fetchall():
            for key in move_keys:
                if key:
                    by_key[key].add(aml_id)
        return by_key

    def _ledger_items_by_partner(self, accounts, partners):
        if not partners or not accounts:
            return {}
        self.env.cr.execute(
            f"""
            SELECT id, partner_id FROM (
                SELECT aml.id, aml.partner_id,
                       row_number() OVER (PARTITION BY aml.partner_id ORDER BY aml.date, aml.id) AS rank
                  FROM account_move_line aml
                 WHERE aml.partner_id = ANY(%(partners)s) AND {self._OPEN_RECEIVABLE}
            ) ranked WHERE rank <= %(limit)s
            """,  # noqa: S608
            {"partners": list(partners), "accounts": accounts, "limit": MAX_ITEMS_PER_PARTNER},
        )
        by_partner = defaultdict(set)
        for aml_id, partner_id in self.env.cr.fetchall():
            by_partner[partner_id].add(aml_id)
        return by_partner

    def _ledger_items_by_amount(self, accounts, pairs):
        if not pairs or not accounts:
            return {}
        currencies = [currency for currency, _amount in pairs]
        amounts = [amount for _currency, amount in pairs]
        self.env.cr.execute(
            f"""
            SELECT id, currency_id, amount_residual_currency FROM (
                SELECT aml.id, aml.currency_id, aml.amount_residual_currency,
                       row_number() OVER (PARTITION BY aml.currency_id, aml.amount_residual_currency
                                          ORDER BY aml.date, aml.id) AS rank
                  FROM account_move_line aml
                  JOIN unnest(%(currencies)s::int[], %(amounts)s::numeric[]) AS wanted(currency_id, amount)
                    ON wanted.currency_id = aml.currency_id AND wanted.amount = aml.amount_residual_currency
                 WHERE {self._OPEN_RECEIVABLE}
            ) ranked WHERE rank <= %(limit)s
            """,  # noqa: S608
            {"currencies": currencies, "amounts": amounts, "accounts": accounts, "limit": MAX_ITEMS_PER_AMOUNT},
        )
        by_amount = defaultdict(set)
        for aml_id, currency_id, amount in self.env.cr.fetchall():
            by_amount[(currency_id, float(amount))].add(aml_id)
        return by_amount

    def _ledger_open_partner_names(self, accounts):
        """``{normalized name: partner id}`` of the customers with open items (for names)."""
        if not accounts:
            return {}
        self.env.cr.execute(
            f"""
            SELECT DISTINCT p.id, p.name FROM account_move_line aml JOIN res_partner p ON p.id = aml.partner_id
             WHERE {self._OPEN_RECEIVABLE}
            """,  # noqa: S608
            {"accounts": accounts},
        )
        return {partner_id: normalize_text(name) for partner_id, name in self.env.cr.fetchall() if name}

    def _ledger_item_details(self, aml_ids):
        if not aml_ids:
            return {}
        self.env.cr.execute(
            """
            SELECT aml.id, aml.partner_id, p.name AS partner_name, aml.amount_residual,
                   aml.amount_residual_currency, aml.currency_id, COALESCE(m.invoice_date, aml.date) AS date,
                   m.name, m.payment_reference, m.ref
              FROM account_move_line aml
              JOIN account_move m ON m.id = aml.move_id
              LEFT JOIN res_partner p ON p.id = aml.partner_id
             WHERE aml.id = ANY(%s)
            """,
            (list(aml_ids),),
        )
        return {row["id"]: row for row in self.env.cr.dictfetchall()}

    # ------------------------------------------------------------------
    # Reconciling
    # ------------------------------------------------------------------

    def _ledger_apply_proposal(self, amls, shape, how):
        """Reconcile the line with ``amls`` as the matcher proposed: in full, writing off a
        small difference, as a partial payment, or leaving an overpayment as credit."""
        self.ensure_one()
        writeoff = self.company_id.ledger_writeoff_account_id if shape == "writeoff" else None
        if shape == "writeoff" and not writeoff:
            raise UserError(_("Set a write-off account in the settings to write off payment differences."))
        self._ledger_reconcile(amls, greedy=shape == "partial", writeoff_account=writeoff)
        self.write({"ledger_match_state": "reconciled", "ledger_reconciled_how": how})

    def _ledger_reconcile(self, amls, amounts=None, greedy=False, writeoff_account=None, writeoff_label=None):
        """Replace the line's suspense item by counterparts of ``amls`` and reconcile them.

        :param amounts: ``{aml id: amount}`` to pay of some items, in the transaction's
            currency (a partial payment); the others are paid in full
        :param greedy: pay the items in order (credit notes first, then oldest) while the
            money lasts: the last one paid is paid partially
        :param writeoff_account: where a difference goes; without it, money left over stays
            on the customer's receivable as credit, and a shortfall is an error
        """
        self.ensure_one()
        amounts = amounts or {}
        if not amls:
            raise UserError(_("Choose at least one open item to reconcile %s with.", self.display_name))
        transaction_amount, currency, *_journal, company_currency = self._get_accounting_amounts_and_currencies()
        liquidity, suspense, other = self._seek_for_lines()
        if other or not suspense:
            raise UserError(_("%s is already reconciled; undo it first.", self.display_name))
        if any(aml.reconciled or aml.parent_state != "posted" for aml in amls):
            raise UserError(_("Only open posted journal items can be reconciled."))
        partners = amls.partner_id.commercial_partner_id
        if len(partners) == 1 and self.partner_id != partners:
            self.partner_id = partners
            liquidity, suspense, other = self._seek_for_lines()

        if len(amls) == 1 and not amounts and self._ledger_reconcile_exactly(amls, suspense, currency):
            return

        remaining = transaction_amount
        counterparts = []
        for aml in amls.sorted(lambda a: (a.amount_residual > 0, a.date, a.id)):
            full = self._prepare_counterpart_amounts_using_st_line_rate(
                aml.currency_id, -aml.amount_residual, -aml.amount_residual_currency)
            needed = -full["amount_currency"]
            if aml.id in amounts or (greedy and needed > 0 and currency.compare_amounts(needed, remaining) > 0):
                paid = amounts.get(aml.id, remaining)
                if currency.compare_amounts(paid, 0) <= 0 or currency.compare_amounts(paid, needed) > 0:
                    raise ValidationError(
                        _("%(item)s: pay between 0 and %(max)s.", item=aml.move_id.name, max=needed))
                values = self._prepare_counterpart_amounts_using_st_line_rate(currency, None, -paid)
                needed = paid
            else:
                values = full
            counterparts.append((aml, {
                "account_id": aml.account_id.id,
                "partner_id": aml.partner_id.id,
                "currency_id": currency.id,
                "amount_currency": values["amount_currency"],
                "balance": values["balance"],
            }))
            remaining = currency.round(remaining - needed)

        extra = []
        if not currency.is_zero(remaining):
            values = self._prepare_counterpart_amounts_using_st_line_rate(currency, None, -remaining)
            if writeoff_account:
                account, partner = writeoff_account, self.partner_id.commercial_partner_id
            elif remaining > 0 and len(partners) == 1:
                account = partners.with_company(self.company_id).property_account_receivable_id
                partner = partners
            else:
                raise UserError(_(
                    "%(line)s: the items come to more than the payment by %(diff)s; "
                    "pay one partially or write the difference off.",
                    line=self.display_name, diff=-remaining))
            extra.append({
                "name": writeoff_label or self.payment_ref or "/",
                "account_id": account.id,
                "partner_id": partner.id,
                "currency_id": currency.id,
                "amount_currency": values["amount_currency"],
                "balance": values["balance"],
            })

        new_values = [values for _aml, values in counterparts] + extra
        for values in new_values:
            values.setdefault("name", self.payment_ref or "/")
        # rounding: the counterparts must balance the liquidity item exactly
        difference = -sum(liquidity.mapped("balance")) - sum(values["balance"] for values in new_values)
        if not company_currency.is_zero(difference):
            new_values[-1]["balance"] += difference
        before = self.move_id.line_ids
        self.move_id.with_context(skip_account_move_synchronization=True, force_delete=True).write({
            "line_ids": [Command.delete(suspense.id)] + [Command.create(values) for values in new_values],
        })
        created = (self.move_id.line_ids - before).sorted("id")
        for (aml, _values), counterpart in zip(counterparts, created, strict=False):
            (counterpart + aml).reconcile()

    def _ledger_reconcile_exactly(self, aml, suspense, currency):
        """The common case, done the cheap way: one item in the transaction's currency whose
        residual is the suspense item's amount. The suspense item moves to the item's account
        and the two are reconciled; nothing is rewritten."""
        if aml.currency_id != currency or suspense.currency_id != currency or len(suspense) != 1:
            return False
        if currency.compare_amounts(suspense.amount_currency, -aml.amount_residual_currency) != 0:
            return False
        if self.company_id.currency_id.compare_amounts(suspense.balance, -aml.amount_residual) != 0:
            return False
        suspense.with_context(skip_account_move_synchronization=True).write(
            {"account_id": aml.account_id.id, "partner_id": aml.partner_id.id})
        (suspense + aml).reconcile()
        return True

    def _ledger_reconcile_by_hand(self, amls, amounts=None, writeoff_account=None, writeoff_label=None,
                                  to_check=False):
        """What the accountant chose in the reconciliation wizard."""
        self.ensure_one()
        self._check_ledger_reconcile_rights()
        self._ledger_reconcile(amls, amounts=amounts, writeoff_account=writeoff_account or None,
                               writeoff_label=writeoff_label)
        self.write({"ledger_match_state": "reconciled", "ledger_reconciled_how": "manual"})
        if to_check:
            self.move_id.to_check = True
        self._ledger_remember_payer()

    def _ledger_remember_payer(self):
        """Remember who paid, from what the accountant confirmed."""
        for line in self:
            partner = line.partner_id.commercial_partner_id
            if partner and (line.account_number or line.partner_name):
                self.env["customer.ledger.counterparty"].sudo()._remember(
                    line.company_id, partner, line.account_number, line.partner_name)

    # ------------------------------------------------------------------
    # Scheduled matching
    # ------------------------------------------------------------------

    @api.model
    def _cron_ledger_match(self, batch_size=500, max_lines=5000):
        """Match the open bank transactions, imported by syncd or entered any other way."""
        # lines never matched first, then the most recent
        lines = self.search([("is_reconciled", "=", False)], order="ledger_match_state, date desc, id desc",
                            limit=max_lines)
        for start in range(0, len(lines), batch_size):
            batch = lines[start:start + batch_size]
            batch._ledger_match()
            if not tools.config["test_enable"] and not modules.module.current_test:
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return len(lines)

