# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
from unittest.mock import patch

from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.account.models.account_bank_statement_line import AccountBankStatementLine

from ..models import customer_ledger_sync
from ..models.customer_ledger_sync import (
    MAX_BATCH,
    MAX_KEY_LENGTH,
    MAX_RAW_CHARS,
    MAX_REQUEST_BYTES,
    MAX_SOURCE_CHARS,
)
from .common import CUSTOMER_IBAN, JOURNAL_IBAN, LedgerSyncCommon


@tagged("post_install", "-at_install")
class TestLedgerSyncPush(LedgerSyncCommon):
    def test_push_creates_lines_once(self):
        lines = [self.line("k1", "10.50", "first"), self.line("k2", "-3.20", "fee")]
        result = self.push(lines, source={"feed": "camt053", "file": "a.xml", "batch": "b1"})
        self.assertEqual(result["api_version"], "1.1")
        self.assertEqual(result["journal_id"], self.journal.id)
        self.assertEqual({k: v["created"] for k, v in result["lines"].items()}, {"k1": True, "k2": True})
        created = self.lines_with_key("k1", "k2")
        self.assertRecordValues(created.sorted("ledger_import_key"), [
            {"amount": 10.5, "payment_ref": "first", "journal_id": self.journal.id, "ledger_feed": "camt053",
             "ledger_source_file": "a.xml", "ledger_batch": "b1", "create_uid": self.robot.id},
            {"amount": -3.2, "payment_ref": "fee", "journal_id": self.journal.id, "ledger_feed": "camt053",
             "ledger_source_file": "a.xml", "ledger_batch": "b1", "create_uid": self.robot.id},
        ])
        self.assertEqual(created.move_id.mapped("state"), ["posted", "posted"])

        again = self.push(lines + [self.line("k3", "1.00", "new")])
        self.assertEqual(again["lines"]["k1"], {"id": result["lines"]["k1"]["id"], "created": False})
        self.assertEqual(again["lines"]["k2"], {"id": result["lines"]["k2"]["id"], "created": False})
        self.assertTrue(again["lines"]["k3"]["created"])
        self.assertEqual(len(self.lines_with_key("k1", "k2", "k3")), 3)

    def test_import_key_is_unique_per_company(self):
        self.push([self.line("uniq", "1.00")])
        vals = {"journal_id": self.journal.id, "date": "2026-11-20", "amount": 2.0, "payment_ref": "again",
                "ledger_import_key": "uniq"}
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.cr.savepoint():
            self.StatementLine.create(vals).flush_recordset()
        # another company may hold the same key
        other_journal = self.company_data_2["default_journal_bank"]
        other = self.StatementLine.with_company(other_journal.company_id).create(
            dict(vals, journal_id=other_journal.id)
        )
        self.assertEqual(self.lines_with_key("uniq").mapped("company_id"),
                         self.journal.company_id | other.company_id)

    def test_one_create_per_batch(self):
        calls = []
        original = AccountBankStatementLine.create

        def counting_create(records, vals_list):
            calls.append(len(vals_list))
            return original(records, vals_list)

        with patch.object(AccountBankStatementLine, "create", counting_create):
            self.push([self.line(f"batch-{i}", "1.00", f"line {i}") for i in range(25)])
        self.assertEqual(calls, [25])

    def test_journal_by_account_number(self):
        for spelling in (JOURNAL_IBAN, JOURNAL_IBAN.replace(" ", "").lower()):
            result = self.push([self.line(f"acc-{spelling}", "2.00")], journal={"account_number": spelling})
            self.assertEqual(result["journal_id"], self.journal.id)

    def test_unknown_or_malformed_journal(self):
        with self.assertRaisesRegex(ValidationError, "No bank journal"):
            self.push([self.line("x", "1.00")], journal={"account_number": "FR7630006000011234567890189"})
        with self.assertRaisesRegex(ValidationError, "No bank journal"):
            self.push([self.line("x", "1.00")], journal={"code": self.company_data["default_journal_sale"].code})
        for spec in ("BNK1", {"code": "a", "account_number": "b"}, {"name": "x"}, {"code": ""}, {"code": 3}):
            with self.assertRaises(ValidationError, msg=spec):
                self.push([self.line("x", "1.00")], journal=spec)

    def test_partner_from_counterparty_account(self):
        self.push([self.line("p1", "5.00", account_number=CUSTOMER_IBAN.lower(), partner_name="A")])
        self.assertEqual(self.lines_with_key("p1").partner_id, self.customer)
        # an account number shared by two customers names neither
        self.env["res.partner.bank"].create({"acc_number": CUSTOMER_IBAN, "partner_id": self.partner_b.id})
        self.push([self.line("p2", "5.00", account_number=CUSTOMER_IBAN)])
        self.assertFalse(self.lines_with_key("p2").partner_id)

    def test_references_and_raw_record_are_kept(self):
        raw = {"source": "file.xml:/Document/Stmt[1]/Ntry[1]", "amount": "7.00"}
        self.push([self.line("r1", "7.00", "text", structured_ref="RF18539007547034", bank_ref="B-1",
                             end_to_end_id="E2E-1", raw=raw)])
        line = self.lines_with_key("r1")
        self.assertRecordValues(line, [{"ledger_structured_ref": "RF18539007547034", "ledger_bank_ref": "B-1",
                                        "ledger_end_to_end_id": "E2E-1"}])
        self.assertEqual(json.loads(line.ledger_raw_record), raw)

    def test_bad_lines_are_refused_and_nothing_is_created(self):
        good = self.line("good", "1.00")
        bad_lines = {
            "float amount": self.line("b", 1.5),
            "more decimals than the currency": self.line("b", "1.005"),
            "not a number": self.line("b", "12,50"),
            "infinite": self.line("b", "Infinity"),
            "bad date": self.line("b", "1.00", date="2026-02-30"),
            "date format": self.line("b", "1.00", date="20.11.2026"),
            "unknown field": self.line("b", "1.00", colour="red"),
            "missing amount": {"key": "b", "date": "2026-11-20", "currency": good["currency"]},
            "missing currency": {"key": "b", "date": "2026-11-20", "amount": "1.00"},
            "another currency": self.line("b", "1.00", currency="XAF" if good["currency"] != "XAF" else "EUR"),
            "empty key": self.line("", "1.00"),
            "long text": self.line("b", "1.00", "x" * 1001),
            "not a dict": "b",
        }
        for reason, bad in bad_lines.items():
            with self.subTest(reason), self.assertRaises(ValidationError):
                self.push([good, bad])
        with self.assertRaisesRegex(ValidationError, "twice"):
            self.push([good, dict(good)])
        with self.assertRaises(ValidationError):
            self.push([])
        with self.assertRaisesRegex(ValidationError, "at most"):
            self.push([good] * (MAX_BATCH + 1))
        with self.assertRaises(ValidationError):
            self.push([good], source={"feed": 1})
        self.assertFalse(self.lines_with_key("good", "b"))

    def test_api_version_must_match(self):
        sync = self.Sync.with_user(self.robot)
        for version in ("2.0", 1, None, ["1.0"], {"1": 0}, ""):
            with self.subTest(version), self.assertRaisesRegex(ValidationError, "sync API"):
                sync.push_statement_lines(version, {"code": self.journal.code}, [self.line("v", "1.00")])
            with self.subTest(version), self.assertRaisesRegex(ValidationError, "sync API"):
                sync.lookup_keys(version, {"code": self.journal.code}, ["v"])
            with self.subTest(version), self.assertRaisesRegex(ValidationError, "sync API"):
                sync.reconcile_statement_lines(version, [1])

    def test_lookup_keys(self):
        result = self.push([self.line("l1", "1.00")])
        found = self.Sync.with_user(self.robot).lookup_keys("1.0", {"code": self.journal.code}, ["l1", "l2"])
        self.assertEqual(found, {"l1": result["lines"]["l1"]["id"], "l2": False})
        with self.assertRaises(ValidationError):
            self.Sync.with_user(self.robot).lookup_keys("1.0", {"code": self.journal.code}, [1])

    def test_api_info(self):
        info = self.Sync.with_user(self.robot).api_info()
        self.assertEqual(info["api_version"], "1.1")
        self.assertEqual(info["login"], "cl_robot")
        self.assertTrue(info["module_version"].endswith("1.0.0"))
        self.assertTrue(info["dedicated_robot"])
        accountant = self.Sync.with_user(self.accountant).api_info()
        self.assertEqual((accountant["login"], accountant["dedicated_robot"]), ("cl_accountant", False))

    def test_api_info_tells_the_limits(self):
        info = self.Sync.with_user(self.robot).api_info()
        self.assertEqual(info["max_batch"], MAX_BATCH)
        self.assertEqual(info["limits"], {
            "max_batch": MAX_BATCH,
            "max_request_bytes": MAX_REQUEST_BYTES,
            "max_key_length": MAX_KEY_LENGTH,
            "max_raw_chars": MAX_RAW_CHARS,
            "max_source_chars": MAX_SOURCE_CHARS,
            "text_fields": {"payment_ref": 1000, "partner_name": 255, "account_number": 100, "structured_ref": 100,
                            "bank_ref": 255, "end_to_end_id": 255},
        })
        # each limit is the one the push holds to: at it passes, one more is refused
        limits = info["limits"]
        at_limits = self.line("k" * limits["max_key_length"], "1.00", raw={"t": ""})
        at_limits["raw"]["t"] = "r" * (limits["max_raw_chars"] - len(json.dumps(at_limits["raw"], indent=1)))
        for name, max_length in limits["text_fields"].items():
            at_limits[name] = "x" * max_length
        source = {"feed": "f" * limits["max_source_chars"]}
        self.push([at_limits], source=source)
        self.assertEqual(len(self.lines_with_key(at_limits["key"])), 1)
        over = [dict(at_limits, key="k" * (limits["max_key_length"] + 1)),
                dict(at_limits, raw={"t": at_limits["raw"]["t"] + "r"})]
        over += [dict(at_limits, **{name: "x" * (max_length + 1)})
                 for name, max_length in limits["text_fields"].items()]
        for bad in over:
            with self.subTest(next(name for name in bad if bad[name] != at_limits.get(name))), \
                    self.assertRaises(ValidationError):
                self.push([bad])
        with self.assertRaises(ValidationError):
            self.push([at_limits], source={"feed": source["feed"] + "f"})


@tagged("post_install", "-at_install")
class TestLedgerSyncReconcile(LedgerSyncCommon):
    def reconcile(self, result):
        ids = [line["id"] for line in result["lines"].values()]
        return self.Sync.with_user(self.robot).reconcile_statement_lines("1.0", ids)

    def test_exact_match_pays_the_invoice(self):
        result = self.push([self.line("pay1", "1000.00", f"Payment {self.invoice.name} thanks")])
        outcome = self.reconcile(result)
        line_id = str(result["lines"]["pay1"]["id"])
        self.assertEqual(outcome[line_id]["state"], "reconciled")
        self.assertEqual(outcome[line_id]["invoice_ids"], self.invoice.ids)
        self.assertIn(self.invoice.name, outcome[line_id]["reason"])
        self.assertEqual(self.invoice.payment_state, "paid")
        st_line = self.lines_with_key("pay1")
        self.assertTrue(st_line.is_reconciled)
        self.assertEqual(st_line.partner_id, self.customer)
        # asking again changes nothing
        again = self.reconcile(result)
        self.assertEqual(again[line_id]["state"], "reconciled")
        self.assertEqual(again[line_id]["invoice_ids"], self.invoice.ids)

    def test_payment_reference_matches_too(self):
        invoice = self.init_invoice("out_invoice", partner=self.customer, amounts=[250.0], taxes=[])
        invoice.payment_reference = "RF18539007547034"
        invoice.action_post()
        result = self.push([self.line("pay-rf", "250.00", "", structured_ref="RF18 5390 0754 7034")])
        outcome = self.reconcile(result)[str(result["lines"]["pay-rf"]["id"])]
        self.assertEqual(outcome["state"], "reconciled")
        self.assertIn("structured reference", outcome["reason"])
        self.assertEqual(invoice.payment_state, "paid")

    def test_doubtful_lines_stay_open(self):
        # the amount of another customer's invoice, naming this one: which is it?
        other = self.env["res.partner"].create({"name": "Other Customer"})
        self.init_invoice("out_invoice", partner=other, amounts=[999.0], taxes=[], post=True)
        cases = {
            "wrong amount": (self.line("n1", "999.00", self.invoice.name), "suggested"),
            "no reference": (self.line("n2", "1000.00", "thank you"), "suggested"),
            "other partner": (self.line("n3", "1000.00", self.invoice.name,
                                        account_number=self._other_partner_iban()), "suggested"),
            "outgoing": (self.line("n4", "-1000.00", self.invoice.name), "unmatched"),
        }
        result = self.push([values for values, _state in cases.values()])
        outcome = self.reconcile(result)
        for name, (values, state) in cases.items():
            with self.subTest(name):
                got = outcome[str(result["lines"][values["key"]]["id"])]
                self.assertEqual(got["state"], state, got["reason"])
        self.assertEqual(self.invoice.payment_state, "not_paid")
        self.assertFalse(any(self.lines_with_key("n1", "n2", "n3", "n4").mapped("is_reconciled")))

    def _other_partner_iban(self):
        iban = "NL91ABNA0417164300"
        self.env["res.partner.bank"].create({"acc_number": iban, "partner_id": self.partner_b.id})
        return iban

    def test_two_candidates_is_left_to_the_accountant(self):
        twin = self.init_invoice("out_invoice", partner=self.customer, amounts=[1000.0], taxes=[], post=True)
        result = self.push([self.line("two", "1000.00", f"{self.invoice.name} {twin.name}")])
        outcome = self.reconcile(result)[str(result["lines"]["two"]["id"])]
        self.assertEqual(outcome["state"], "suggested")
        self.assertIn(outcome["invoice_ids"][0], (self.invoice | twin).ids)
        self.assertEqual((self.invoice | twin).mapped("payment_state"), ["not_paid", "not_paid"])

    def test_installments_are_all_paid(self):
        term = self.env["account.payment.term"].create({
            "name": "30% now, 70% in 60 days",
            "line_ids": [
                Command.create({"value": "percent", "value_amount": 30, "nb_days": 0}),
                Command.create({"value": "percent", "value_amount": 70, "nb_days": 60}),
            ],
        })
        invoice = self.init_invoice("out_invoice", partner=self.customer, amounts=[400.0], taxes=[])
        invoice.invoice_payment_term_id = term
        invoice.action_post()
        self.assertEqual(len(invoice.line_ids.filtered(lambda aml: aml.account_type == "asset_receivable")), 2)
        result = self.push([self.line("inst", "400.00", invoice.name)])
        self.assertEqual(self.reconcile(result)[str(result["lines"]["inst"]["id"])]["state"], "reconciled")
        self.assertEqual(invoice.payment_state, "paid")

    def test_undo_restores_line_and_invoice(self):
        result = self.push([self.line("undo", "1000.00", self.invoice.name)])
        self.reconcile(result)
        st_line = self.lines_with_key("undo")
        self.assertEqual(self.invoice.payment_state, "paid")
        st_line.action_undo_reconciliation()
        self.assertEqual(self.invoice.payment_state, "not_paid")
        self.assertFalse(st_line.is_reconciled)
        self.assertEqual(self.invoice.amount_residual, 1000.0)

    def test_bad_line_ids_are_refused(self):
        for bad in ("1", [0], [True], ["3"], [10**9]):
            with self.subTest(bad), self.assertRaises(ValidationError):
                self.Sync.with_user(self.robot).reconcile_statement_lines("1.0", bad)


@tagged("post_install", "-at_install")
class TestLedgerSyncHostileValues(LedgerSyncCommon):
    """Values an attacker (or a broken feed) sends: each one is a ValidationError that names the
    line, its key and the field, and nothing of the push is kept."""

    def assertRefused(self, bad, pattern, **push):
        """Push a good line and ``bad``; the refusal must match ``pattern`` (a regex)."""
        good = self.line("good", "1.00")
        with self.assertRaisesRegex(ValidationError, pattern) as caught:
            self.push([good, bad], **push)
        self.assertIs(type(caught.exception), ValidationError)
        self.assertFalse(self.lines_with_key("good", "bad"))
        return str(caught.exception)

    def test_amounts_that_are_not_ascii_decimals(self):
        for amount in ("1e400", "1E2", "1_000", "١٢٣", "۱۲۳", "１２３", " 12.30", "12.30\n", "+1", "NaN", "-Infinity"):
            with self.subTest(amount):
                self.assertRefused(self.line("bad", amount), r"^lines\[1\] \(key bad\): amount .* is not a decimal")
        for amount in (1.5, 1.0, True, None, [1], {"value": "1"}):
            with self.subTest(amount):
                self.assertRefused(self.line("bad", amount), r"^lines\[1\] \(key bad\): amount must be a decimal")

    def test_amounts_out_of_range(self):
        for amount in (10**30, -(10**13), "10000000000000.00", "1" + "0" * 400, 2**63):
            with self.subTest(str(amount)[:20]):
                self.assertRefused(self.line("bad", amount), r"^lines\[1\] \(key bad\): amount .* is out of range")
        # the largest amount the currency holds goes in exactly
        self.push([self.line("big", "-9999999999999.99")])
        self.assertEqual(self.lines_with_key("big").amount, -9999999999999.99)
        self.push([self.line("int", 12)])
        self.assertEqual(self.lines_with_key("int").amount, 12.0)

    def test_foreign_amounts_follow_the_same_rules(self):
        foreign = "EUR" if self.line("x", "1")["currency"] != "EUR" else "CHF"
        self.env.ref(f"base.{foreign}").active = True
        for amount in ("1e400", 10**30, "1_000", "١٢٣"):
            with self.subTest(amount):
                self.assertRefused(self.line("bad", "1.00", foreign_currency=foreign, amount_currency=amount),
                                   r"^lines\[1\] \(key bad\): amount_currency ")
        for code in ("E\x00R", "EURO", 3, None, "\ud800AB"):
            with self.subTest(code):
                self.assertRefused(self.line("bad", "1.00", foreign_currency=code, amount_currency="1.00"),
                                   r"^lines\[1\] \(key bad\): foreign_currency")

    def test_dates_out_of_range(self):
        for day in ("0001-01-01", "1899-12-31", "2200-01-01", "9999-12-31"):
            with self.subTest(day):
                message = self.assertRefused(self.line("bad", "1.00", date=day),
                                             r"^lines\[1\] \(key bad\): date .* is out of range")
                self.assertIn("1900-01-01", message)
                self.assertIn("2199-12-31", message)
        for day in ("٢٠٢٦-١١-٢٠", "2026-11-20\n", "2026-11-20T10:00", 20261120, None):
            with self.subTest(day):
                self.assertRefused(self.line("bad", "1.00", date=day), r"^lines\[1\] \(key bad\): date must be")
        self.push([self.line("first", "1.00", date="1900-01-01"), self.line("last", "1.00", date="2199-12-31")])
        self.assertEqual(len(self.lines_with_key("first", "last")), 2)

    def test_nul_in_every_text(self):
        for field in ("payment_ref", "partner_name", "account_number", "structured_ref", "bank_ref",
                      "end_to_end_id"):
            with self.subTest(field):
                self.assertRefused(self.line("bad", "1.00", **{field: "a\x00b"}),
                                   rf"^lines\[1\] \(key bad\): {field} holds the control character U\+0000 "
                                   r"at position 1")
        for raw in ({"text": "a\x00"}, {"a\x00": "text"}, ["deep", ["deeper", {"x": "\x00"}]], "\x00"):
            with self.subTest(raw=raw):
                self.assertRefused(self.line("bad", "1.00", raw=raw),
                                   r"^lines\[1\] \(key bad\): raw holds the control character U\+0000")
        with self.assertRaisesRegex(ValidationError, r"^lines\[0\]: key must be a printable string"):
            self.push([self.line("bad\x00", "1.00")])
        with self.assertRaisesRegex(ValidationError, r"^keys\[1\]: key must be a printable string"):
            self.Sync.with_user(self.robot).lookup_keys("1.0", {"code": self.journal.code}, ["good", "bad\x00"])
        for name in ("feed", "file", "batch"):
            with self.subTest(source=name):
                self.assertRefused(self.line("bad", "1.00"), rf"^source: {name} holds the control character U\+0000",
                                   source={name: "x\x00"})
        for journal in ({"code": "BNK\x00"}, {"account_number": "GB33\x00BUKB"}):
            with self.subTest(journal=journal):
                self.assertRefused(self.line("bad", "1.00"), r"^journal: .* holds the control character U\+0000",
                                   journal=journal)
            with self.subTest(journal=journal), self.assertRaisesRegex(ValidationError, "control character"):
                self.Sync.with_user(self.robot).lookup_keys("1.0", journal, ["good"])

    def test_control_characters(self):
        for char in ("\x07", "\x1b", "\x7f", "\x85", "\r", "\ud800", "\n", "\t"):
            with self.subTest(repr(char)):
                self.assertRefused(self.line("bad", "1.00", partner_name=f"ACME{char}"),
                                   rf"^lines\[1\] \(key bad\): partner_name holds the control character "
                                   rf"U\+{ord(char):04X} at position 4")
            if char not in "\n\t":
                with self.subTest(repr(char), field="payment_ref"):
                    self.assertRefused(self.line("bad", "1.00", f"pay{char}"), r"payment_ref holds the control")
        # remittance text may span lines; nothing is stripped
        self.push([self.line("multi", "1.00", "Invoice INV/1\n\tand INV/2")])
        self.assertEqual(self.lines_with_key("multi").payment_ref, "Invoice INV/1\n\tand INV/2")
        # raw keeps line breaks and tabs inside its strings, and no other control character
        self.push([self.line("rawnl", "1.00", raw={"ustrd": ["line 1\nline 2", "\ttab"]})])
        self.assertEqual(json.loads(self.lines_with_key("rawnl").ledger_raw_record)["ustrd"][0], "line 1\nline 2")
        self.assertRefused(self.line("bad", "1.00", raw={"x": "bell\x07"}), r"raw holds the control character U\+0007")
        self.assertRefused(self.line("bad", "1.00", raw={"x": float("nan")}), r"raw holds NaN")

    def test_too_large_request(self):
        filler = "x" * (MAX_RAW_CHARS - 100)
        lines = [self.line(f"big-{i}", "1.00", raw={"t": filler})
                 for i in range(MAX_REQUEST_BYTES // MAX_RAW_CHARS + 10)]
        with self.assertRaisesRegex(ValidationError, rf"take \d+ bytes as JSON; a push may take at most "
                                                     rf"{MAX_REQUEST_BYTES}"):
            self.push(lines)
        self.assertFalse(self.lines_with_key(lines[0]["key"]))
        # measured as the docstring says: the lines' compact JSON in UTF-8, multi-byte characters counted as bytes
        few = [self.line("size-1", "1.00", "Zahlung für 谢谢"), self.line("size-2", "2.00")]
        size = len(json.dumps(few, separators=(",", ":"), ensure_ascii=False).encode())
        with patch.object(customer_ledger_sync, "MAX_REQUEST_BYTES", size - 1), \
                self.assertRaisesRegex(ValidationError, "a push may take at most"):
            self.push(few)
        with patch.object(customer_ledger_sync, "MAX_REQUEST_BYTES", size):
            self.push(few)
        self.assertEqual(len(self.lines_with_key("size-1", "size-2")), 2)

    def test_argument_refusals_are_validation_errors(self):
        def refusal(call):
            with self.assertRaises(ValidationError) as caught:
                call()
            return type(caught.exception)

        sync = self.Sync.with_user(self.robot)
        line = [self.line("arg", "1.00")]
        twin = self.env["account.journal"].create({"name": "Twin", "code": "TWN", "type": "bank",
                                                   "bank_account_id": self.journal.bank_account_id.id})
        calls = {
            "version": lambda: sync.push_statement_lines("2.0", {"code": self.journal.code}, line),
            "unknown journal": lambda: sync.push_statement_lines("1.0", {"code": "NOPE"}, line),
            "several journals": lambda: sync.push_statement_lines("1.0", {"account_number": JOURNAL_IBAN}, line),
            "several journals (lookup)": lambda: sync.lookup_keys("1.0", {"account_number": JOURNAL_IBAN}, ["arg"]),
            "id beyond PostgreSQL integers": lambda: sync.reconcile_statement_lines("1.0", [2**31]),
            "huge id": lambda: sync.reconcile_statement_lines("1.0", [10**30]),
        }
        self.assertEqual(twin.bank_account_id, self.journal.bank_account_id)
        for name, call in calls.items():
            with self.subTest(name):
                self.assertIs(refusal(call), ValidationError)
