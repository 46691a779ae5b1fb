"""ISO 20022 bank-to-customer cash management messages: CAMT.053 statements,
CAMT.052 account reports (intraday) and CAMT.054 debit/credit notifications.

The three share their entries (``Ntry``, ``NtryDtls/TxDtls``); they differ in the
message and report elements (``BkToCstmrStmt/Stmt``, ``BkToCstmrAcctRpt/Rpt``,
``BkToCstmrDbtCdtNtfctn/Ntfctn``), and notifications carry no balances.

Written against camt.053.001.02 and namespace-agnostic, so 001.03 to 001.08
work too: elements are matched by local name inside whatever
``camt.05N.001.NN`` namespace the root declares.  The differences between
versions that matter here are handled explicitly:

- entry status is ``<Sts>BOOK</Sts>`` (02) or ``<Sts><Cd>BOOK</Cd></Sts>`` (08);
- party names are ``Dbtr/Nm`` (02) or ``Dbtr/Pty/Nm`` (08);
- agent BICs are ``FinInstnId/BIC`` (02) or ``FinInstnId/BICFI`` (04+);
- transaction amounts are ``TxDtls/AmtDtls/TxAmt/Amt`` (02) or ``TxDtls/Amt``.

Only booked entries become transactions: pending and informational entries
may still change or vanish and are not part of the balances.

Reversals (``RvslInd`` true) keep the sign of their ``CdtDbtInd``, which is
the direction money actually moved on the account (a returned incoming
payment is a debit).  The related parties of a reversal describe the
*original* payment, so the counterparty is taken from the opposite side:
for a reversed credit (booked as a debit) it is still the debtor.

Money is ``Decimal`` parsed from the text, never float.  Every error names
the file, the element as a readable XPath with 1-based indexes, and the line.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import BinaryIO

from lxml import etree

from syncd.caps import MAX_FIELD_CHARS, field_too_long
from syncd.errors import InputError
from syncd.records import SourceRef, Statement, Transaction, collect
from syncd.safexml import DEFAULT_MAX_BYTES, SAFE_OPTIONS, STREAM_MAX_BYTES, GuardedReader, root_has_doctype, sniff_root

# Repeatable elements always carry an index, so a location reads the same
# whether the statement has one entry or many.
_ALWAYS_INDEXED = frozenset({"Stmt", "Rpt", "Ntfctn", "Bal", "Ntry", "NtryDtls", "TxDtls"})
_AMOUNT = re.compile(r"\d+(\.\d*)?|\.\d+")
_CURRENCY = re.compile(r"[A-Z]{3}")
_OPENING = ("OPBD", "PRCD")  # opening booked wins over previous closing
_CLOSING = ("CLBD",)
def _tree(*paths: str) -> dict:
    """The paths of local names a lookup reads, as a tree: ``{"Refs": {"EndToEndId": {}}}``."""
    tree: dict = {}
    for path in paths:
        node = tree
        for name in path.split("/"):
            node = node.setdefault(name, {})
    return tree


# What is read of a statement, a balance, an entry and a transaction's details.
_HEADER = _tree("Id", "Acct/Id/IBAN", "Acct/Id/Othr/Id", "Acct/Ccy", "Bal")
_BALANCE = _tree("Tp/CdOrPrtry/Cd", "Amt", "CdtDbtInd")
_ENTRY = _tree("Amt", "CdtDbtInd", "Sts/Cd", "Sts/Prtry", "BookgDt/Dt", "BookgDt/DtTm", "ValDt/Dt", "ValDt/DtTm",
               "RvslInd", "AcctSvcrRef", "AddtlNtryInf", "NtryDtls")
# a party's name, account and agent's BIC, each where version 02 or a later one puts it
_PARTY = {
    side: (
        (f"RltdPties/{side}/Nm", f"RltdPties/{side}/Pty/Nm"),
        (f"RltdPties/{side}Acct/Id/IBAN", f"RltdPties/{side}Acct/Id/Othr/Id"),
        (f"RltdAgts/{side}Agt/FinInstnId/BIC", f"RltdAgts/{side}Agt/FinInstnId/BICFI"),
    )
    for side in ("Dbtr", "Cdtr")
}
_DETAILS = _tree(
    "Amt", "AmtDtls/TxAmt/Amt", "AmtDtls/InstdAmt/Amt", "CdtDbtInd", "Refs/AcctSvcrRef", "Refs/EndToEndId",
    *(path for paths in _PARTY.values() for alternatives in paths for path in alternatives),
    "RmtInf/Ustrd", "RmtInf/Strd/CdtrRefInf/Ref", "AddtlTxInf", "Chrgs/TtlChrgsAndTaxAmt", "Chrgs/Rcrd/Amt",
)


def clean(text: str | None) -> str:
    """Collapse whitespace runs and strip: banks wrap and pad free text freely."""
    return " ".join(text.split()) if text else ""


def readable_path(el: etree._Element, anchor: tuple[etree._Element, str] | None = None) -> str:
    """``/Document/BkToCstmrStmt/Stmt[1]/Ntry[3]/Amt``: local names, 1-based indexes.

    lxml's ``getpath`` gives ``/*/*[2]`` for namespaced documents, which
    nobody can read in an error message.  ``anchor`` is an element and its
    path, for a document streamed with the elements before it deleted.
    """
    parts = []
    while el is not None:
        if anchor is not None and el is anchor[0]:
            parts.append(anchor[1].lstrip("/"))
            break
        name = etree.QName(el).localname
        parent = el.getparent()
        if parent is not None:
            before = sum(1 for _ in el.itersiblings(el.tag, preceding=True))
            if name in _ALWAYS_INDEXED or before or next(el.itersiblings(el.tag), None) is not None:
                name = f"{name}[{before + 1}]"
        parts.append(name)
        el = parent
    return "/" + "/".join(reversed(parts))


class _Doc:
    """One file: its path and namespace, and the errors and amounts of its elements."""

    def __init__(self, root: etree._Element, path: str):
        self.path = path
        self.ns = etree.QName(root).namespace
        self.prefix = f"{{{self.ns}}}" if self.ns else ""
        self.anchor: tuple[etree._Element, str] | None = None  # the entry being read, and its path
        self.report = ""  # the qualified tag of the statement element
        self.details = ""  # and of a transaction's details
        self._compiled: dict[int, dict] = {}

    def q(self, name: str) -> str:
        return self.prefix + name

    def compiled(self, tree: dict, prefix: str = "") -> dict:
        """A tree of wanted local names as ``{qualified tag: (path, the level below or None)}``."""
        if not prefix and id(tree) in self._compiled:
            return self._compiled[id(tree)]
        children = {
            self.q(name): (prefix + name, self.compiled(below, f"{prefix}{name}/") if below else None)
            for name, below in tree.items()
        }
        if not prefix:
            self._compiled[id(tree)] = children
        return children

    def error(self, el, reason: str, missing: str = "") -> InputError:
        where = readable_path(el, self.anchor) + (f"/{missing}" if missing else "")
        return InputError(self.path, f"{where} (line {el.sourceline})", reason)

    def field(self, el) -> str:
        """The cleaned text of ``el``, a field: refused over the field cap."""
        text = el.text
        if text and len(text) > MAX_FIELD_CHARS:
            raise self.error(el, field_too_long(f"<{etree.QName(el).localname}>", len(text)))
        return clean(text)

    def money(self, amt) -> tuple[Decimal, str]:
        """The unsigned amount of an ``Amt``-like element and its ``Ccy``."""
        text = (amt.text or "").strip()
        if not _AMOUNT.fullmatch(text):
            reason = f"{text!r} is not a valid amount (expected digits with a '.' decimal point)"
            raise self.error(amt, reason)
        ccy = amt.get("Ccy", "").strip()
        if ccy and not _CURRENCY.fullmatch(ccy):
            raise self.error(amt, f"{ccy!r} is not an ISO 4217 currency code")
        return Decimal(text), ccy

    def amount(self, amt, currency: str) -> Decimal:
        """The unsigned amount of an ``Amt`` element, checked against the account currency."""
        value, ccy = self.money(amt)
        if ccy and currency and ccy != currency:
            raise self.error(amt, f"amount currency {ccy} differs from the account currency {currency}")
        return value


class _Node:
    """An element whose descendants on the ``wanted`` paths are indexed by their path of local
    names (``Refs/EndToEndId``) in one walk: an entry is looked up some thirty times, and a
    path search in lxml for each lookup costs more than parsing the entry. Other elements,
    and elements of other namespaces, are skipped with their subtrees."""

    __slots__ = ("doc", "el", "index")

    def __init__(self, doc: _Doc, el, wanted: dict):
        self.doc = doc
        self.el = el
        self.index: dict[str, list] = {}
        self._walk(el, doc.compiled(wanted))

    def _walk(self, el, children: dict):
        index = self.index
        for child in el:
            wanted = children.get(child.tag)
            if wanted is None:
                continue
            key, below = wanted
            found = index.get(key)
            if found is None:
                index[key] = [child]
            else:
                found.append(child)
            if below is not None:
                self._walk(child, below)

    def find(self, rel: str):
        found = self.index.get(rel)
        return found[0] if found else None

    def findall(self, rel: str) -> list:
        return self.index.get(rel, [])

    def text(self, *rels: str) -> str:
        """The cleaned text of the first of ``rels`` that is present and non-blank."""
        for rel in rels:
            found = self.index.get(rel)
            if found:
                text = self.doc.field(found[0])
                if text:
                    return text
        return ""

    def error(self, reason: str, missing: str = "") -> InputError:
        return self.doc.error(self.el, reason, missing)

    def require(self, rel: str, what: str):
        found = self.find(rel)
        if found is None:
            raise self.error(f"missing {rel}: {what} is mandatory", missing=rel)
        return found

    def signed(self, rel_amount: str, currency: str, default_sign: int | None = None) -> Decimal:
        """``rel_amount`` signed by ``CdtDbtInd`` (DBIT negative)."""
        value = self.doc.amount(self.require(rel_amount, "the amount"), currency)
        if default_sign is not None and self.find("CdtDbtInd") is None:
            sign = default_sign
        else:
            sign = self.sign()
        return -value if sign < 0 and value else value  # never "-0.00"

    def sign(self) -> int:
        indicator = self.require("CdtDbtInd", "the credit/debit indicator")
        code = clean(indicator.text)
        if code not in ("CRDT", "DBIT"):
            raise self.doc.error(indicator, f"CdtDbtInd is {code!r}, expected CRDT or DBIT")
        return 1 if code == "CRDT" else -1

    def date(self, rel: str, what: str, required: bool) -> date | None:
        """``rel/Dt`` or the date part of ``rel/DtTm``."""
        node = self.find(f"{rel}/Dt")
        node = self.find(f"{rel}/DtTm") if node is None else node
        if node is None:
            if required:
                raise self.error(f"missing {rel}/Dt: {what} is mandatory", missing=rel)
            return None
        text = clean(node.text)
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            raise self.doc.error(node, f"{text!r} is not a valid date") from None


class CamtParser:
    """One CAMT message type: its format name, namespace and message/report elements."""

    def __init__(self, number: str, message: str, report: str, what: str):
        self.name = f"camt{number}"
        self.what = what
        self.description = f"CAMT.{number} {what}"
        self.namespace_prefix = f"urn:iso:std:iso:20022:tech:xsd:camt.{number}.001."
        self.message = message
        self.report = report

    def detect(self, data: bytes) -> bool:
        root = sniff_root(data)
        return (
            root is not None
            and root.localname == "Document"
            and (root.namespace or "").startswith(self.namespace_prefix)
        )

    def parse(self, data: bytes, path: str, *, max_bytes: int = DEFAULT_MAX_BYTES,
              encoding: str | None = None) -> list[Statement]:
        """The whole file's statements. ``encoding`` is not used: an XML document declares its own."""
        if len(data) > max_bytes:
            raise InputError(path, "", f"file is {len(data)} bytes, more than the limit of {max_bytes} bytes")
        return collect(self.stream(io.BytesIO(data), path, max_bytes=max_bytes))

    def stream(self, handle: BinaryIO, path: str, *, max_bytes: int = STREAM_MAX_BYTES,
               encoding: str | None = None) -> Iterator[Transaction | Statement]:
        """Each transaction as its entry is read, then its statement once the statement's end
        is reached and its balances checked; an :class:`InputError` may come at any point, so
        what came before it counts only once the stream ends. Memory holds one entry at a time:
        entries are deleted from the tree once read, and an entry (or a transaction of a batch
        entry, or what lies between two entries) over its cap in :mod:`syncd.caps` is refused
        while it is read."""
        reader = GuardedReader(handle, path, max_bytes, records=True)
        events = etree.iterparse(reader, events=("start", "end"),
                                 tag=(f"{{*}}{self.report}", "{*}Ntry", "{*}TxDtls"), **SAFE_OPTIONS)
        doc = None
        statement: _Statement | None = None
        reports = details = 0  # details: the TxDtls begun in the entry being read
        try:
            for event, el in events:  # the start of an entry, the end of a statement, entry or details
                if doc is None:
                    doc = self._document(el.getroottree().getroot(), path)
                if el.tag == doc.details:  # a batch entry's transactions count one by one
                    if event == "start":
                        details += 1
                        reader.reading_part(f"{reader.record}/NtryDtls/TxDtls[{details}]", el.sourceline)
                    else:
                        reader.record_ended()
                    continue
                if event == "start":
                    if el.tag != doc.report:
                        inside = statement is not None and el.getparent() is statement.element
                        number = statement.entries + 1 if inside else 1
                        where = statement.where if inside else f"/Document/{self.message}/{self.report}[{reports + 1}]"
                        reader.reading(f"{where}/Ntry[{number}]", el.sourceline)
                        details = 0
                    continue
                if el.tag == doc.report:
                    if not self._is_report(el, doc):
                        continue
                    if statement is None or statement.element is not el:  # one without entries
                        reports += 1
                        statement = _Statement(doc, el, f"/Document/{self.message}/{self.report}[{reports}]")
                    yield statement.close()
                    reader.record_ended(statement.where)
                    statement = None
                    el.clear()
                    _drop_before(el)
                    continue
                parent = el.getparent()
                if statement is None or parent is not statement.element:  # the first entry of a statement
                    if parent.tag != doc.report or not self._is_report(parent, doc):
                        continue
                    reports += 1
                    statement = _Statement(doc, parent, f"/Document/{self.message}/{self.report}[{reports}]")
                yield from statement.entry(el)
                reader.record_ended(f"{statement.where}/Ntry[{statement.entries}]")
                el.clear()
                _drop_before(el)  # the entries read, and the statement's header once it is read
        except etree.XMLSyntaxError as exc:
            raise InputError(path, f"line {exc.lineno}", f"malformed XML: {exc.msg}") from None
        if doc is None:
            root = getattr(events, "root", None)
            if root is None:
                raise InputError(path, "", "malformed XML: the document has no root element")
            doc = self._document(root, path)
        if root_has_doctype(events.root):
            raise InputError(path, "", "DOCTYPE declarations are not allowed in statement files")
        if not reports:
            message = _Node(doc, events.root, {self.message: {}}).require(
                self.message, f"the {self.description} message")
            reason = f"the file contains no {self.what} (no {self.report} element)"
            raise doc.error(message, reason, missing=self.report)

    def _document(self, root, path: str) -> _Doc:
        qname = etree.QName(root)
        if qname.localname != "Document" or not (qname.namespace or "").startswith(self.namespace_prefix):
            raise InputError(
                path,
                f"/{qname.localname} (line {root.sourceline})",
                f"not a {self.description}: root element <{qname.localname}> in namespace {qname.namespace}",
            )
        doc = _Doc(root, path)
        doc.report = doc.q(self.report)
        doc.details = doc.q("TxDtls")
        return doc

    def _is_report(self, el, doc: _Doc) -> bool:
        """A report element of this message type, directly in the message under the root."""
        message = el.getparent()
        return (message is not None and message.tag == doc.q(self.message)
                and message.getparent() is not None and message.getparent().getparent() is None)


def _drop_before(el):
    """Delete the elements before ``el``, read already: memory holds one record at a time."""
    parent = el.getparent()
    while (previous := el.getprevious()) is not None:
        parent.remove(previous)


class _Statement:
    """One statement (report, notification) while its entries stream by: its account and
    balances, read from the elements before the first entry, and the running total."""

    def __init__(self, doc: _Doc, element, where: str):
        self.doc = doc
        self.element = element
        self.where = where
        self.header: dict | None = None
        self.context: dict = {}  # what each transaction of the statement carries
        self.entries = 0
        self.booked_total = Decimal(0)

    def _read_header(self) -> dict:
        doc = self.doc
        stmt = _Node(doc, self.element, _HEADER)
        statement_id = stmt.text("Id")
        acct = stmt.require("Acct", "the account")
        account = stmt.text("Acct/Id/IBAN").replace(" ", "").upper() or stmt.text("Acct/Id/Othr/Id")
        if not account:
            raise doc.error(acct, "missing account number: neither Id/IBAN nor Id/Othr/Id is given", missing="Id")
        currency = _currency(doc, stmt, acct)
        balances = {}
        for bal in stmt.findall("Bal"):
            balance = _Node(doc, bal, _BALANCE)
            code = balance.text("Tp/CdOrPrtry/Cd")
            if code in _OPENING + _CLOSING and code not in balances:
                balances[code] = balance.signed("Amt", currency)
        return {
            "statement_id": statement_id,
            "account": account,
            "currency": currency,
            "opening": next((balances[c] for c in _OPENING if c in balances), None),
            "closing": next((balances[c] for c in _CLOSING if c in balances), None),
        }

    def entry(self, entry) -> list[Transaction]:
        """The transactions of one ``Ntry`` (none if it is not booked)."""
        doc = self.doc
        if self.header is None:
            self.header = header = self._read_header()
            self.context = {"account": header["account"], "currency": header["currency"],
                            "statement_id": header["statement_id"]}
        self.entries += 1
        where = f"{self.where}/Ntry[{self.entries}]"
        doc.anchor = (entry, where)
        try:
            node = _Node(doc, entry, _ENTRY)
            if _status(node) != "BOOK":
                return []
            entry_amount = node.signed("Amt", self.header["currency"])
            self.booked_total += entry_amount
            return _entry(node, where, entry_amount, self.context)
        finally:
            doc.anchor = None

    def close(self) -> Statement:
        """The statement, once its balances are checked against the entries read."""
        header = self.header or self._read_header()
        opening, closing = header["opening"], header["closing"]
        if opening is not None and closing is not None and opening + self.booked_total != closing:
            raise InputError(
                self.doc.path,
                f"{self.where} (id {header['statement_id'] or '?'})",
                f"balances do not add up: opening {opening} + booked entries {self.booked_total} "
                f"= {opening + self.booked_total}, but the closing balance is {closing} "
                f"(difference {closing - opening - self.booked_total})",
            )
        return Statement(
            statement_id=header["statement_id"],
            account=header["account"],
            currency=header["currency"],
            source=SourceRef(self.doc.path, self.where),
            opening_balance=opening,
            closing_balance=closing,
        )


def _currency(doc: _Doc, stmt: _Node, acct) -> str:
    """``Acct/Ccy``, else the currency of the first amount read in the statement."""
    currency = stmt.text("Acct/Ccy")
    source = acct
    if not currency:
        for amt in stmt.el.iter(doc.q("Amt")):
            if amt.get("Ccy"):
                currency, source = amt.get("Ccy").strip(), amt
                break
    if not currency:
        reason = "missing Ccy: the account currency is given neither in Acct/Ccy nor on any amount"
        raise doc.error(acct, reason, missing="Ccy")
    if not _CURRENCY.fullmatch(currency):
        raise doc.error(source, f"{currency!r} is not an ISO 4217 currency code")
    return currency


def _status(entry: _Node) -> str:
    sts = entry.require("Sts", "the entry status")
    return entry.text("Sts/Cd", "Sts/Prtry") or clean(sts.text)


def _entry(entry: _Node, where: str, amount: Decimal, context: dict) -> list[Transaction]:
    """One transaction for a plain entry, one per ``TxDtls`` for a batch entry."""
    doc = entry.doc
    booking_date = entry.date("BookgDt", "the booking date", required=True)
    value_date = entry.date("ValDt", "the value date", required=False)
    reversal = entry.text("RvslInd").lower() in ("true", "1")
    entry_ref = entry.text("AcctSvcrRef")
    common = {**context, "booking_date": booking_date, "value_date": value_date}

    details = []  # (TxDtls, readable path)
    tx_tag = doc.q("TxDtls")
    for g, group in enumerate(entry.findall("NtryDtls"), 1):
        for t, tx in enumerate(group.iterchildren(tx_tag), 1):
            details.append((_Node(doc, tx, _DETAILS), f"{where}/NtryDtls[{g}]/TxDtls[{t}]"))

    if len(details) <= 1:
        fields = _details(entry, details[0][0] if details else None, amount, reversal)
        fields["bank_ref"] = fields["bank_ref"] or entry_ref
        return [Transaction(amount=amount, source=SourceRef(doc.path, where), **common, **fields)]

    entry_sign = 1 if amount >= 0 else -1
    transactions = []
    for n, (tx, tx_where) in enumerate(details, 1):
        rel = "Amt" if tx.find("Amt") is not None else "AmtDtls/TxAmt/Amt"
        tx_amount = tx.signed(rel, context["currency"], default_sign=entry_sign)
        fields = _details(entry, tx, tx_amount, reversal)
        if not fields["bank_ref"] and entry_ref:
            fields["bank_ref"] = f"{entry_ref}/{n}"
        source = SourceRef(doc.path, tx_where)
        transactions.append(Transaction(amount=tx_amount, source=source, **common, **fields))
    total = sum((t.amount for t in transactions), Decimal(0))
    if total != amount:
        raise entry.error(f"the {len(details)} transaction details add up to {total}, but the entry amount is {amount}")
    return transactions


def _details(entry: _Node, tx: _Node | None, amount: Decimal, reversal: bool) -> dict:
    """Counterparty, references, remittance text, charges and instructed amount of one transaction."""
    fields: dict[str, str | Decimal | None] = {
        "counterparty_name": "",
        "counterparty_account": "",
        "counterparty_bic": "",
        "remittance": entry.text("AddtlNtryInf"),
        "structured_ref": "",
        "bank_ref": "",
        "end_to_end_id": "",
    }
    if tx is None:
        return fields
    # Money in: the other party paid us, so it is the debtor.  A reversal
    # reports the original payment's parties, hence the flip.
    name, account, bic = _PARTY["Dbtr" if (amount >= 0) != reversal else "Cdtr"]
    fields["counterparty_name"] = tx.text(*name)
    fields["counterparty_account"] = tx.text(*account).replace(" ", "")
    fields["counterparty_bic"] = tx.text(*bic)
    unstructured = " ".join(filter(None, (entry.doc.field(u) for u in tx.findall("RmtInf/Ustrd"))))
    if len(unstructured) > MAX_FIELD_CHARS:
        raise tx.error(field_too_long("the remittance text (RmtInf/Ustrd)", len(unstructured)))
    fields["remittance"] = unstructured or tx.text("AddtlTxInf") or fields["remittance"]
    fields["structured_ref"] = tx.text("RmtInf/Strd/CdtrRefInf/Ref")
    fields["bank_ref"] = tx.text("Refs/AcctSvcrRef")
    end_to_end = tx.text("Refs/EndToEndId")
    fields["end_to_end_id"] = "" if end_to_end.upper() == "NOTPROVIDED" else end_to_end
    instructed = tx.find("AmtDtls/InstdAmt/Amt")
    if instructed is not None:
        value, fields["original_currency"] = entry.doc.money(instructed)
        fields["original_amount"] = -value if amount < 0 else value
    # the total (001.02/03) or one record per charge (001.04 and later)
    total = tx.find("Chrgs/TtlChrgsAndTaxAmt")
    charges = [total] if total is not None else tx.findall("Chrgs/Rcrd/Amt")
    if charges:
        fields["fees"] = sum((entry.doc.money(charge)[0] for charge in charges), Decimal(0))
    return fields


CAMT053 = CamtParser("053", "BkToCstmrStmt", "Stmt", "statement")
CAMT052 = CamtParser("052", "BkToCstmrAcctRpt", "Rpt", "account report")
CAMT054 = CamtParser("054", "BkToCstmrDbtCdtNtfctn", "Ntfctn", "notification")
