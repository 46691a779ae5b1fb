"""ISO 20022 bank-to-customer cash management messages: CAMT.053 statements,
CAMT.052 account reports (intraday) and CAMT.054 debit/credit notifications.

The three share their entries (``Ntry``, ``NtryDtls/TxDtls``); they differ in the
message and report elements (``BkToCstmrStmt/Stmt``, ``BkToCstmrAcctRpt/Rpt``,
``BkToCstmrDbtCdtNtfctn/Ntfctn``), and notifications carry no balances.

Every version seen in the wild is read (``camt.05N.001.02`` to ``.13``): elements are
matched by local name inside whatever namespace the message element has, with a prefix
or without, or with no namespace at all, and the ``Document`` may sit in an envelope
(``<message><AppHdr/><Document/></message>``, a business application header beside
it). The message element decides the format. The differences between versions that
matter here are handled explicitly:

- entry status is ``<Sts>BOOK</Sts>`` (02 to 08) or ``<Sts><Cd>BOOK</Cd></Sts>`` (09+);
- party names are ``Dbtr/Nm`` (02) or ``Dbtr/Pty/Nm`` (08);
- agent BICs are ``FinInstnId/BIC`` (02) or ``FinInstnId/BICFI`` (04+);
- transaction amounts are ``TxDtls/AmtDtls/TxAmt/Amt`` (02) or ``TxDtls/Amt``.

What real files contain, and what is made of it:

- **Entries not booked** (``Sts`` ``PDNG``, ``INFO``, ``FUTR`` or any other code but
  ``BOOK``) may still change or vanish and are not part of the balances: they are left
  out of the transactions and counted in the statement's ``left_out`` with their status.
  An entry without a status is booked (a statement reports booked entries).
- **Reversals** (``RvslInd`` true) keep the sign of their ``CdtDbtInd``, which is the
  direction money actually moved on the account (a returned incoming payment is a
  debit). The related parties of a reversal describe the *original* payment, so the
  counterparty is taken from the opposite side.
- **The entry's amount counts.** An entry is one transaction in the entry's currency
  (its ``Amt Ccy``; the account's when it has none), whatever its details say. A batch
  entry (several ``TxDtls``) is split into one transaction per detail only when every
  detail has an amount of its own in the entry's currency (``Amt``, else
  ``AmtDtls/TxAmt``, ``CntrValAmt`` or ``InstdAmt``) and they add up exactly to the
  entry; otherwise it stays one transaction with the entry's amount. A detail in another
  currency gives the transaction's original amount and currency (``InstdAmt`` first).
  A detail without ``CdtDbtInd`` has its entry's direction.
- **No booking date**: the value date applies, else the statement's date (the end of
  ``FrToDt``, else the closing balance's date, else ``CreDtTm`` of the statement or of
  the message).
- **Balances**: the opening balance is ``OPBD``, else ``PRCD`` (previous closing), else
  the first ``ITBD`` when there are several; the closing balance is ``CLBD``, else the
  last ``ITBD``. Available balances are not booked balances: ``OPAV`` and ``CLAV`` are
  used only by a statement that has no booked balance at all, and forward or interim
  available and information balances never. A balance without
  ``CdtDbtInd`` is a credit. A balance in another currency than the account's cannot be
  checked against the entries: it is not used, and a note of the statement's says so.
  Balances that do not add up are kept as the file gives them and flagged
  (:func:`syncd.records.balance_gap`), never refused. The statement's date is its closing
  balance's date, else its last booking date. Its total is the sum of its transactions
  in the account's currency (those are what the balances move).

Money is ``Decimal`` parsed from the text, never float.  Every error names the file,
the element as a readable XPath with 1-based indexes, and the line.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import BinaryIO

from lxml import etree

from syncd.caps import MAX_FIELD_CHARS, field_too_long
from syncd.errors import InputError
from syncd.records import SourceRef, Statement, Transaction, collect
from syncd.safexml import DEFAULT_MAX_BYTES, SAFE_OPTIONS, STREAM_MAX_BYTES, GuardedReader, root_has_doctype

# Repeatable elements always carry an index, so a location reads the same
# whether the statement has one entry or many.
_ALWAYS_INDEXED = frozenset({"Stmt", "Rpt", "Ntfctn", "Bal", "Ntry", "NtryDtls", "TxDtls"})
#: An amount: unsigned by the schema (``CdtDbtInd`` gives the direction); a leading minus,
#: which some exports write, makes it negative whatever the indicator says.
_AMOUNT = re.compile(r"-?(\d+(\.\d*)?|\.\d+)")
_CURRENCY = re.compile(r"[A-Z]{3}")
_ZERO = Decimal(0)
#: The namespaces of the three messages, any version (``urn:iso:std:iso:20022:tech:xsd:camt.053.001.08``,
#: or a bank's own spelling of it, such as ``http://www.six-interbank-clearing.com/de/camt.053.001.04.xsd``);
#: a message element in another namespace (camt.060, say) is not one of them.
_CAMT_NAMESPACE = re.compile(r"camt\.05[234]\.001\.")
_UNVERSIONED = "urn:iso:std:iso:20022:tech:xsd:camt"  # seen in the wild, without a message or version
_MESSAGES = frozenset({"BkToCstmrStmt", "BkToCstmrAcctRpt", "BkToCstmrDbtCdtNtfctn"})
_NOT_BOOKED = {"PDNG": "pending entry", "INFO": "information-only entry", "FUTR": "future entry"}


def _tree(*paths: str) -> dict:
    """The paths of local names a lookup reads, as a tree: ``{"Refs": {"EndToEndId": {}}}``."""
    tree: dict = {}
    for path in paths:
        node = tree
        for name in path.split("/"):
            node = node.setdefault(name, {})
    return tree


# What is read of a statement, a balance, an entry and a transaction's details.
_HEADER = _tree("Id", "Acct/Id/IBAN", "Acct/Id/Othr/Id", "Acct/Ccy", "Bal", "CreDtTm", "FrToDt/ToDtTm")
_BALANCE = _tree("Tp/CdOrPrtry/Cd", "Tp/CdOrPrtry/Prtry", "Amt", "CdtDbtInd", "Dt/Dt", "Dt/DtTm")
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
# a detail's own amount, in the order they are tried
_DETAIL_AMOUNTS = ("Amt", "AmtDtls/TxAmt/Amt", "AmtDtls/CntrValAmt/Amt", "AmtDtls/InstdAmt/Amt")
_DETAILS = _tree(
    *_DETAIL_AMOUNTS, "CdtDbtInd", "Refs/AcctSvcrRef", "Refs/EndToEndId",
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


def _parse_date(text: str) -> date:
    """The date of an ISO date or date-time (``2026-01-15``, ``2026-01-15T10:00:00+01:00``)."""
    return date.fromisoformat(text[:10])


class _Doc:
    """One file: its path and namespace, and the errors and amounts of its elements."""

    def __init__(self, report: etree._Element, path: str):
        self.path = path
        self.ns = etree.QName(report).namespace
        self.prefix = f"{{{self.ns}}}" if self.ns else ""
        self.anchor: tuple[etree._Element, str] | None = None  # the entry being read, and its path
        self.report = report.tag  # the qualified tag of the statement element
        self.details = self.q("TxDtls")  # and of a transaction's details
        self.created: date | None = None  # the message's GrpHdr/CreDtTm
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
        """The unsigned amount of an ``Amt``-like element and its ``Ccy`` (``""`` without one)."""
        text = (amt.text or "").strip()
        if not _AMOUNT.fullmatch(text):
            reason = f"{text!r} is not a valid amount (expected digits with a '.' decimal point)"
            raise self.error(amt, reason)
        ccy = amt.get("Ccy", "").strip()
        if ccy and not _CURRENCY.fullmatch(ccy):
            raise self.error(amt, f"{ccy!r} is not an ISO 4217 currency code")
        return Decimal(text), ccy


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
        get = children.get
        for child in el:
            wanted = get(child.tag)
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
        """The cleaned text of the first of ``rels`` that is present and non-blank (refused over
        the field cap). Inlined: it is called some ten times an entry."""
        index = self.index
        for rel in rels:
            found = index.get(rel)
            if found:
                text = found[0].text
                if text:
                    if len(text) > MAX_FIELD_CHARS:
                        self.doc.field(found[0])  # raises
                    text = " ".join(text.split())
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

    def sign(self, default: int | None = None) -> int:
        """+1 for ``CdtDbtInd`` CRDT, -1 for DBIT; ``default`` when there is none (else refused)."""
        indicator = self.find("CdtDbtInd")
        if indicator is None and default is not None:
            return default
        if indicator is None:
            raise self.error("missing CdtDbtInd: the credit/debit indicator is mandatory", missing="CdtDbtInd")
        code = clean(indicator.text)
        if code == "CRDT":
            return 1
        if code == "DBIT":
            return -1
        raise self.doc.error(indicator, f"CdtDbtInd is {code!r}, expected CRDT or DBIT")

    def date(self, rel: str) -> date | None:
        """``rel/Dt`` or the date part of ``rel/DtTm``, if given."""
        found = self.index.get(f"{rel}/Dt") or self.index.get(f"{rel}/DtTm")
        if not found:
            return None
        text = clean(found[0].text)
        try:
            return _parse_date(text)
        except ValueError:
            raise self.doc.error(found[0], f"{text!r} is not a valid date") from None


def _signed(value: Decimal, sign: int) -> Decimal:
    """``value`` in the direction ``sign`` gives (never ``-0.00``); a negative one stays so."""
    if value < 0:
        return value
    return -value if sign < 0 and value else value


def message_of(data: bytes, limit: int = 64 * 1024) -> tuple[str, etree.QName | None]:
    """The local name of the CAMT message element (``BkToCstmrStmt``...) in the start of
    ``data``, or ``""``: inside a ``Document`` whose namespace is one of the three messages'
    or none, wherever the ``Document`` is (the root, or in an envelope beside an
    ``AppHdr``); and the root element's name (``None`` if none was read). Entities are
    never expanded; errors later in the file are the parse's."""
    parser = etree.XMLPullParser(events=("start",), resolve_entities=False, no_network=True, load_dtd=False,
                                 huge_tree=False)
    stream = io.BytesIO(data[:limit])
    root = None
    seen = 0
    try:
        while chunk := stream.read(4096):
            parser.feed(chunk)
            for _event, element in parser.read_events():
                root = root or etree.QName(element)
                if etree.QName(element).localname in _MESSAGES:
                    return _camt_message(element), root
                seen += 1
                if seen > 2000:  # a message element comes early (after an AppHdr at most), or not at all
                    return "", root
    except etree.XMLSyntaxError:
        for _event, element in parser.read_events():
            root = root or etree.QName(element)
            if etree.QName(element).localname in _MESSAGES:
                return _camt_message(element), root
    return "", root


def _camt_message(element) -> str:
    """The local name of a message element in a ``Document`` of a CAMT namespace (or none)."""
    name = etree.QName(element)
    parent = element.getparent()
    namespace = name.namespace or ""
    if (parent is not None and etree.QName(parent).localname == "Document"
            and (namespace in ("", _UNVERSIONED) or _CAMT_NAMESPACE.search(namespace))):
        return name.localname
    return ""


class CamtParser:
    """One CAMT message type: its format name, namespace and message/report elements."""

    def __init__(self, number: str, message: str, report: str, what: str):
        self.name = f"camt{number}"
        self.what = what
        self.description = f"CAMT.{number} {what}"
        self.namespace_part = f"camt.{number}.001."
        self.message = message
        self.report = report

    def detect(self, data: bytes) -> bool:
        """The message element is this parser's; or, when none was read (a file broken
        early), the root is a ``Document`` of this message's namespace, so that the parse
        reports what is wrong with it."""
        message, root = message_of(data)
        if message:
            return message == self.message
        return (root is not None and root.localname == "Document"
                and self.namespace_part in (root.namespace or ""))

    def parse(self, data: bytes, path: str, *, max_bytes: int = DEFAULT_MAX_BYTES,
              encoding: str | None = None) -> list[Statement]:
        """The whole file's statements. ``encoding`` is not used: an XML document declares its own."""
        if len(data) > max_bytes:
            raise InputError(path, "", f"file is {len(data)} bytes, more than the limit of {max_bytes} bytes")
        return collect(self.stream(io.BytesIO(data), path, max_bytes=max_bytes))

    def stream(self, handle: BinaryIO, path: str, *, max_bytes: int = STREAM_MAX_BYTES,
               encoding: str | None = None) -> Iterator[Transaction | Statement]:
        """Each transaction as its entry is read, then its statement once the statement's end
        is reached; an :class:`InputError` may come at any point, so what came before it counts
        only once the stream ends. Memory holds one entry at a time: entries are deleted from
        the tree once read, and an entry (or a transaction of a batch entry, or what lies
        between two entries) over its cap in :mod:`syncd.caps` is refused while it is read."""
        reader = GuardedReader(handle, path, max_bytes, records=True)
        events = etree.iterparse(reader, events=("start", "end"),
                                 tag=(f"{{*}}{self.report}", "{*}Ntry", "{*}TxDtls"), **SAFE_OPTIONS)
        doc = None
        statement: _Statement | None = None
        reports = details = 0  # details: the TxDtls begun in the entry being read
        report_tag = details_tag = None
        where_message = f"/Document/{self.message}"
        try:
            for event, el in events:  # the start of an entry, the end of a statement, entry or details
                tag = el.tag
                if tag == details_tag:  # a batch entry's transactions count one by one
                    if event == "start":
                        details += 1
                        reader.reading_part(f"{reader.record}/NtryDtls/TxDtls[{details}]", el.sourceline)
                    else:
                        reader.record_ended()
                    continue
                if doc is None:
                    if event != "start" or not self._is_report(el):
                        continue  # a statement's start names its namespace
                    doc = self._document(el, path)
                    report_tag, details_tag = doc.report, doc.details
                if event == "start":
                    if tag == report_tag:
                        continue
                    parent = el.getparent()
                    inside = statement is not None and parent is statement.element
                    if inside or parent.tag == report_tag:  # an entry begins
                        number = statement.entries + 1 if inside else 1
                        where = statement.where if inside else f"{where_message}/{self.report}[{reports + 1}]"
                        reader.reading(f"{where}/Ntry[{number}]", el.sourceline)
                        details = 0
                    continue
                if tag == report_tag:
                    if not self._is_report(el):
                        continue
                    if statement is None or statement.element is not el:  # one without entries
                        reports += 1
                        statement = _Statement(doc, el, f"{where_message}/{self.report}[{reports}]")
                    yield statement.close()
                    reader.record_ended(statement.where)
                    statement = None
                    el.clear()
                    _drop_before(el)
                    continue
                parent = el.getparent()
                if statement is None or parent is not statement.element:  # the first entry of a statement
                    if parent.tag != report_tag or not self._is_report(parent):
                        continue
                    reports += 1
                    statement = _Statement(doc, parent, f"{where_message}/{self.report}[{reports}]")
                yield from statement.entry(el)
                reader.record_ended(f"{statement.where}/Ntry[{statement.entries}]")
                el.clear()
                _drop_before(el)  # the entries read, and the statement's header once it is read
        except etree.XMLSyntaxError as exc:
            raise InputError(path, f"line {exc.lineno}", f"malformed XML: {exc.msg}") from None
        root = getattr(events, "root", None)
        if root is None:
            raise InputError(path, "", "malformed XML: the document has no root element")
        if root_has_doctype(root):
            raise InputError(path, "", "DOCTYPE declarations are not allowed in statement files")
        if not reports:
            message = next((el for el in root.iter(f"{{*}}{self.message}")
                            if etree.QName(el.getparent()).localname == "Document"), None) \
                if etree.QName(root).localname != self.message else None
            if message is None:
                qname = etree.QName(root)
                raise InputError(
                    path,
                    f"/{qname.localname} (line {root.sourceline})",
                    f"not a {self.description}: root element <{qname.localname}> in namespace {qname.namespace}"
                    f" and no {self.message} message in a Document",
                )
            reason = f"the file contains no {self.what} (no {self.report} element)"
            where = readable_path(message)
            raise InputError(path, f"{where}/{self.report} (line {message.sourceline})", reason)

    def _document(self, report, path: str) -> _Doc:
        doc = _Doc(report, path)
        header = report.getparent().find(doc.q("GrpHdr"))
        doc.created = _element_date(doc, header.find(doc.q("CreDtTm")) if header is not None else None)
        return doc

    def _is_report(self, el) -> bool:
        """A report element of this message type, directly in the message in a ``Document``."""
        message = el.getparent()
        if message is None or etree.QName(message).localname != self.message:
            return False
        if etree.QName(message).namespace != etree.QName(el).namespace:
            return False
        document = message.getparent()
        return document is not None and etree.QName(document).localname == "Document"


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
        self.booked_total = _ZERO  # of the transactions in the account's currency
        self.last_booking: date | None = None
        self.left_out: Counter = Counter()
        self.notes: list[str] = []

    def _read_header(self) -> dict:
        doc = self.doc
        stmt = _Node(doc, self.element, _HEADER)
        statement_id = stmt.text("Id")
        acct = stmt.require("Acct", "the account")
        account = stmt.text("Acct/Id/IBAN").replace(" ", "").upper() or stmt.text("Acct/Id/Othr/Id")
        if not account and stmt.find("Acct/Id") is not None:  # another scheme (BBAN, PrtryAcct), or bare text
            account = next((clean(text) for text in stmt.find("Acct/Id").itertext() if clean(text)), "")[:64]
        if not account:
            raise doc.error(acct, "missing account number: neither Id/IBAN nor Id/Othr/Id is given", missing="Id")
        currency = _currency(doc, stmt, acct)
        opening, closing = self._balances(stmt, currency)
        statement_day = closing[1] if closing else None
        fallback = (_element_date(doc, stmt.find("FrToDt/ToDtTm")) or statement_day
                    or _element_date(doc, stmt.find("CreDtTm")) or doc.created)
        return {
            "statement_id": statement_id,
            "account": account,
            "currency": currency,
            "opening": opening[0] if opening else None,
            "closing": closing[0] if closing else None,
            "statement_date": statement_day,
            "fallback_date": fallback,
        }

    def _balances(self, stmt: _Node, currency: str):
        """The opening and closing balances (amount, date), each ``None`` if the file has none
        that can be used; see the module's docstring for the choice."""
        found: dict[str, list] = {}
        for bal in stmt.findall("Bal"):
            balance = _Node(self.doc, bal, _BALANCE)
            code = balance.text("Tp/CdOrPrtry/Cd") or balance.text("Tp/CdOrPrtry/Prtry").upper()
            if code not in ("OPBD", "PRCD", "CLBD", "ITBD", "OPAV", "CLAV"):
                continue
            value, ccy = self.doc.money(balance.require("Amt", "the balance's amount"))
            if ccy and ccy != currency:
                self.notes.append(f"{self.where}: balance {code} in {ccy}, not the account's currency {currency}: "
                                  "not used")
                continue
            day = balance.date("Dt")
            found.setdefault(code, []).append((_signed(value, balance.sign(default=1)), day))
        interim = found.get("ITBD", [])
        opening = next((found[code][0] for code in ("OPBD", "PRCD") if code in found), None)
        if opening is None and len(interim) > 1:
            opening = interim[0]
        closing = found["CLBD"][-1] if "CLBD" in found else (interim[-1] if interim and (
            len(interim) > 1 or opening is not None) else None)
        if closing is None and interim and opening is None:
            closing = interim[-1]  # one interim balance: where the account stands now
        if opening is None and closing is None:  # no booked balance: the available ones, if any
            opening = found["OPAV"][0] if "OPAV" in found else None
            closing = found["CLAV"][-1] if "CLAV" in found else None
        return opening, closing

    def entry(self, entry) -> list[Transaction]:
        """The transactions of one ``Ntry`` (none if it is not booked)."""
        doc = self.doc
        if self.header is None:
            self.header = header = self._read_header()
            self.context = {"account": header["account"], "statement_id": header["statement_id"]}
        self.entries += 1
        where = f"{self.where}/Ntry[{self.entries}]"
        doc.anchor = (entry, where)
        try:
            node = _Node(doc, entry, _ENTRY)
            status = entry_status(node)
            if status and status != "BOOK":
                self.left_out[f"{_NOT_BOOKED.get(status, 'entry not booked')} (Sts {status})"] += 1
                return []
            transactions = _entry(node, where, self.header, self.context)
            currency = self.header["currency"]
            for tx in transactions:
                if tx.currency == currency:
                    self.booked_total += tx.amount
            if transactions:
                self.last_booking = transactions[-1].booking_date
            return transactions
        finally:
            doc.anchor = None

    def close(self) -> Statement:
        """The statement, with its balances as the file gives them (flagged, not refused, when
        they do not add up: :func:`syncd.records.balance_gap`)."""
        header = self.header or self._read_header()
        return Statement(
            statement_id=header["statement_id"],
            account=header["account"],
            currency=header["currency"],
            source=SourceRef(self.doc.path, self.where),
            opening_balance=header["opening"],
            closing_balance=header["closing"],
            statement_date=header["statement_date"] or self.last_booking or header["fallback_date"],
            left_out=tuple(self.left_out.items()),
            notes=tuple(dict.fromkeys(self.notes)),
            total=self.booked_total,
        )


def _element_date(doc: _Doc, el) -> date | None:
    """The date of an ISO date or date-time element, ``None`` without one."""
    if el is None:
        return None
    text = clean(el.text)
    try:
        return _parse_date(text)
    except ValueError:
        raise doc.error(el, f"{text!r} is not a valid date") from None


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


def entry_status(entry: _Node) -> str:
    """The entry's status code (``BOOK``, ``PDNG``...), ``""`` when it has none."""
    sts = entry.find("Sts")
    if sts is None:
        return ""
    return (entry.text("Sts/Cd", "Sts/Prtry") or clean(sts.text)).upper()


def _detail_amount(tx: _Node, currency: str, sign: int) -> Decimal | None:
    """A detail's own amount in ``currency``, signed, or ``None`` if it has none."""
    for rel in _DETAIL_AMOUNTS:
        found = tx.index.get(rel)
        if found:
            value, ccy = tx.doc.money(found[0])
            if not ccy or ccy == currency:
                return _signed(value, tx.sign(default=sign))
    return None


def _entry(entry: _Node, where: str, header: dict, context: dict) -> list[Transaction]:
    """One transaction for an entry, or one per ``TxDtls`` for a batch entry whose details
    carry amounts that add up to it."""
    doc = entry.doc
    amt = entry.require("Amt", "the amount")
    value, currency = doc.money(amt)
    currency = currency or header["currency"]
    tx_tag = doc.details
    details = []  # (TxDtls, readable path)
    for g, group in enumerate(entry.findall("NtryDtls"), 1):
        for t, tx in enumerate(group.iterchildren(tx_tag), 1):
            details.append((_Node(doc, tx, _DETAILS), f"{where}/NtryDtls[{g}]/TxDtls[{t}]"))
    if entry.find("CdtDbtInd") is None and details:
        # mandatory, but a detail may say it: the entry's direction when they all agree
        signs = {tx.sign(default=0) for tx, _ in details}
        sign = signs.pop() if len(signs) == 1 and 0 not in signs else entry.sign()
    else:
        sign = entry.sign(default=1 if not value else None)
    amount = _signed(value, sign)
    value_date = entry.date("ValDt")
    booking_date = entry.date("BookgDt") or value_date or header["fallback_date"]
    if booking_date is None:
        raise entry.error("missing BookgDt/Dt: neither a booking date, nor a value date, nor a statement date is given",
                          missing="BookgDt")
    reversal = entry.text("RvslInd").lower() in ("true", "1")
    entry_ref = entry.text("AcctSvcrRef")
    common = {**context, "currency": currency, "booking_date": booking_date, "value_date": value_date}

    if len(details) > 1:
        amounts = [_detail_amount(tx, currency, sign) for tx, _ in details]
        if None not in amounts and sum(amounts, _ZERO) == amount:
            transactions = []
            for n, ((tx, tx_where), tx_amount) in enumerate(zip(details, amounts, strict=True), 1):
                fields = _details(entry, tx, tx_amount, currency, reversal)
                if not fields["bank_ref"] and entry_ref:
                    fields["bank_ref"] = f"{entry_ref}/{n}"
                transactions.append(Transaction(amount=tx_amount, source=SourceRef(doc.path, tx_where),
                                                **common, **fields))
            return transactions
        fields = _batch(entry, [tx for tx, _ in details], amount, reversal)
    else:
        fields = _details(entry, details[0][0] if details else None, amount, currency, reversal)
    fields["bank_ref"] = fields["bank_ref"] or entry_ref
    return [Transaction(amount=amount, source=SourceRef(doc.path, where), **common, **fields)]


def _batch(entry: _Node, details: list[_Node], amount: Decimal, reversal: bool) -> dict:
    """The fields of a batch entry read as one transaction: its own text, else its details'
    texts; a counterparty only if every detail names the same."""
    per_detail = [_details(entry, tx, amount, "", reversal, instructed=False) for tx in details]
    fields = dict.fromkeys(("counterparty_name", "counterparty_account", "counterparty_bic",
                            "structured_ref", "bank_ref", "end_to_end_id"), "")
    for key in ("counterparty_name", "counterparty_account", "counterparty_bic"):
        values = {detail[key] for detail in per_detail}
        if len(values) == 1:
            fields[key] = values.pop()
    texts = list(dict.fromkeys(detail["remittance"] for detail in per_detail if detail["remittance"]))
    fields["remittance"] = entry.text("AddtlNtryInf") or "; ".join(texts)[:MAX_FIELD_CHARS]
    return fields


def _details(entry: _Node, tx: _Node | None, amount: Decimal, currency: str, reversal: bool,
             instructed: bool = True) -> dict:
    """Counterparty, references, remittance text, charges and original amount of one transaction."""
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
    if instructed:
        # the instructed amount, else a detail's amount in another currency than the entry's
        for rel in ("AmtDtls/InstdAmt/Amt", "AmtDtls/TxAmt/Amt", "Amt"):
            found = tx.find(rel)
            if found is None or (rel != "AmtDtls/InstdAmt/Amt" and found.get("Ccy") in (None, currency)):
                continue
            value, ccy = entry.doc.money(found)
            if ccy and ccy != currency or (rel == "AmtDtls/InstdAmt/Amt" and abs(value) != abs(amount)):
                fields["original_currency"] = ccy or currency
                fields["original_amount"] = -abs(value) if amount < 0 else abs(value)
                break
    # the total (001.02/03) or one record per charge (001.04 and later)
    total = tx.find("Chrgs/TtlChrgsAndTaxAmt")
    charges = [total] if total is not None else tx.findall("Chrgs/Rcrd/Amt")
    if charges:
        fields["fees"] = sum((abs(entry.doc.money(charge)[0]) for charge in charges), _ZERO)
    return fields


CAMT053 = CamtParser("053", "BkToCstmrStmt", "Stmt", "statement")
CAMT052 = CamtParser("052", "BkToCstmrAcctRpt", "Rpt", "account report")
CAMT054 = CamtParser("054", "BkToCstmrDbtCdtNtfctn", "Ntfctn", "notification")
