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

import re
from datetime import date
from decimal import Decimal

from lxml import etree

from syncd.errors import InputError
from syncd.records import SourceRef, Statement, Transaction
from syncd.safexml import DEFAULT_MAX_BYTES, parse_xml, sniff_root

# Repeatable elements always carry an index, so a location reads the same
# whether the statement has one entry or many.
_ALWAYS_INDEXED = frozenset({"Stmt", "Rpt", "Ntfctn", "Bal", "Ntry", "NtryDtls", "TxDtls"})
_AMOUNT = re.compile(r"\d+(\.\d*)?|\.\d+")
_CURRENCY = re.compile(r"[A-Z]{3}")
_OPENING = ("OPBD", "PRCD")  # opening booked wins over previous closing
_CLOSING = ("CLBD",)


def clean(text: str | None) -> str:
    """Collapse whitespace runs and strip: banks wrap and pad free text freely."""
    return " ".join(text.split()) if text else ""


def readable_path(el: etree._Element) -> str:
    """``/Document/BkToCstmrStmt/Stmt[1]/Ntry[3]/Amt``: local names, 1-based indexes.

    lxml's ``getpath`` gives ``/*/*[2]`` for namespaced documents, which
    nobody can read in an error message.
    """
    parts = []
    while el is not None:
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
    """One parsed file: its path, its namespace, and lookup helpers by local name."""

    def __init__(self, root: etree._Element, path: str):
        self.path = path
        self.ns = etree.QName(root).namespace

    def _q(self, rel: str) -> str:
        return "/".join(f"{{{self.ns}}}{part}" for part in rel.split("/"))

    def find(self, el, rel):
        return el.find(self._q(rel))

    def findall(self, el, rel):
        return el.findall(self._q(rel))

    def text(self, el, *rels: str) -> str:
        """The cleaned text of the first of ``rels`` that is present and non-blank."""
        for rel in rels:
            found = el.find(self._q(rel))
            if found is not None and clean(found.text):
                return clean(found.text)
        return ""

    def error(self, el, reason: str, missing: str = "") -> InputError:
        where = readable_path(el) + (f"/{missing}" if missing else "")
        return InputError(self.path, f"{where} (line {el.sourceline})", reason)

    def require(self, el, rel: str, what: str):
        found = self.find(el, rel)
        if found is None:
            raise self.error(el, f"missing {rel}: {what} is mandatory", missing=rel)
        return found

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

    def signed(self, el, rel_amount: str, currency: str, default_sign: int | None = None) -> Decimal:
        """``el/rel_amount`` signed by ``el/CdtDbtInd`` (DBIT negative)."""
        value = self.amount(self.require(el, rel_amount, "the amount"), currency)
        if default_sign is not None and self.find(el, "CdtDbtInd") is None:
            sign = default_sign
        else:
            sign = self.sign(el)
        return -value if sign < 0 and value else value  # never "-0.00"

    def sign(self, el) -> int:
        indicator = self.require(el, "CdtDbtInd", "the credit/debit indicator")
        code = clean(indicator.text)
        if code not in ("CRDT", "DBIT"):
            raise self.error(indicator, f"CdtDbtInd is {code!r}, expected CRDT or DBIT")
        return 1 if code == "CRDT" else -1

    def date(self, el, rel: str, what: str, required: bool) -> date | None:
        """``rel/Dt`` or the date part of ``rel/DtTm``."""
        holder = self.find(el, rel)
        node = None
        if holder is not None:  # not `or`: an lxml element without children is falsy
            node = self.find(holder, "Dt")
            node = self.find(holder, "DtTm") if node is None else node
        if node is None:
            if required:
                raise self.error(el, f"missing {rel}/Dt: {what} is mandatory", missing=rel)
            return None
        text = clean(node.text)
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            raise self.error(node, f"{text!r} is not a valid date") from None


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
        """``encoding`` is not used: an XML document declares its own."""
        root = parse_xml(data, path, max_bytes=max_bytes)
        qname = etree.QName(root)
        if qname.localname != "Document" or not (qname.namespace or "").startswith(self.namespace_prefix):
            raise InputError(
                path,
                f"/{qname.localname} (line {root.sourceline})",
                f"not a {self.description}: root element <{qname.localname}> in namespace {qname.namespace}",
            )
        doc = _Doc(root, path)
        message = doc.require(root, self.message, f"the {self.description} message")
        reports = doc.findall(message, self.report)
        if not reports:
            reason = f"the file contains no {self.what} (no {self.report} element)"
            raise doc.error(message, reason, missing=self.report)
        return [
            _statement(doc, report, f"/Document/{self.message}/{self.report}[{n}]")
            for n, report in enumerate(reports, 1)
        ]


def _statement(doc: _Doc, stmt, where: str) -> Statement:
    statement_id = doc.text(stmt, "Id")
    acct = doc.require(stmt, "Acct", "the account")
    account = doc.text(acct, "Id/IBAN").replace(" ", "").upper() or doc.text(acct, "Id/Othr/Id")
    if not account:
        raise doc.error(acct, "missing account number: neither Id/IBAN nor Id/Othr/Id is given", missing="Id")
    currency = _currency(doc, stmt, acct)

    balances = {}
    for bal in doc.findall(stmt, "Bal"):
        code = doc.text(bal, "Tp/CdOrPrtry/Cd")
        if code in _OPENING + _CLOSING and code not in balances:
            balances[code] = doc.signed(bal, "Amt", currency)
    opening = next((balances[c] for c in _OPENING if c in balances), None)
    closing = next((balances[c] for c in _CLOSING if c in balances), None)

    transactions = []
    booked_total = Decimal(0)
    for n, entry in enumerate(doc.findall(stmt, "Ntry"), 1):
        if _status(doc, entry) != "BOOK":
            continue
        entry_amount = doc.signed(entry, "Amt", currency)
        booked_total += entry_amount
        context = {"account": account, "currency": currency, "statement_id": statement_id}
        transactions += _entry(doc, entry, f"{where}/Ntry[{n}]", entry_amount, context)

    if opening is not None and closing is not None and opening + booked_total != closing:
        raise InputError(
            doc.path,
            f"{where} (id {statement_id or '?'})",
            f"balances do not add up: opening {opening} + booked entries {booked_total} "
            f"= {opening + booked_total}, but the closing balance is {closing} "
            f"(difference {closing - opening - booked_total})",
        )
    return Statement(
        statement_id=statement_id,
        account=account,
        currency=currency,
        source=SourceRef(doc.path, where),
        opening_balance=opening,
        closing_balance=closing,
        transactions=tuple(transactions),
    )


def _currency(doc: _Doc, stmt, acct) -> str:
    """``Acct/Ccy``, else the currency of the first amount in the statement."""
    currency = doc.text(acct, "Ccy")
    source = acct
    if not currency:
        for amt in stmt.iter(doc._q("Amt")):
            if amt.get("Ccy"):
                currency, source = amt.get("Ccy").strip(), amt
                break
    if not currency:
        reason = "missing Ccy: the account currency is given neither in Acct/Ccy nor on any amount"
        raise doc.error(acct, reason, missing="Ccy")
    if not _CURRENCY.fullmatch(currency):
        raise doc.error(source, f"{currency!r} is not an ISO 4217 currency code")
    return currency


def _status(doc: _Doc, entry) -> str:
    sts = doc.require(entry, "Sts", "the entry status")
    return doc.text(sts, "Cd", "Prtry") or clean(sts.text)


def _entry(doc: _Doc, entry, where: str, amount: Decimal, context: dict) -> list[Transaction]:
    """One transaction for a plain entry, one per ``TxDtls`` for a batch entry."""
    booking_date = doc.date(entry, "BookgDt", "the booking date", required=True)
    value_date = doc.date(entry, "ValDt", "the value date", required=False)
    reversal = doc.text(entry, "RvslInd").lower() in ("true", "1")
    entry_ref = doc.text(entry, "AcctSvcrRef")
    common = {**context, "booking_date": booking_date, "value_date": value_date}

    details = []  # (TxDtls element, readable path)
    groups = doc.findall(entry, "NtryDtls")
    for g, group in enumerate(groups, 1):
        for t, tx in enumerate(doc.findall(group, "TxDtls"), 1):
            details.append((tx, f"{where}/NtryDtls[{g}]/TxDtls[{t}]"))

    if len(details) <= 1:
        tx = details[0][0] if details else None
        fields = _details(doc, entry, tx, amount, reversal)
        fields["bank_ref"] = fields["bank_ref"] or entry_ref
        return [Transaction(amount=amount, source=SourceRef(doc.path, where), **common, **fields)]

    entry_sign = 1 if amount >= 0 else -1
    transactions = []
    for n, (tx, tx_where) in enumerate(details, 1):
        rel = "Amt" if doc.find(tx, "Amt") is not None else "AmtDtls/TxAmt/Amt"
        tx_amount = doc.signed(tx, rel, context["currency"], default_sign=entry_sign)
        fields = _details(doc, entry, tx, tx_amount, reversal)
        if not fields["bank_ref"] and entry_ref:
            fields["bank_ref"] = f"{entry_ref}/{n}"
        source = SourceRef(doc.path, tx_where)
        transactions.append(Transaction(amount=tx_amount, source=source, **common, **fields))
    total = sum((t.amount for t in transactions), Decimal(0))
    if total != amount:
        raise doc.error(
            entry,
            f"the {len(details)} transaction details add up to {total}, but the entry amount is {amount}",
        )
    return transactions


def _details(doc: _Doc, entry, tx, amount: Decimal, reversal: bool) -> dict:
    """Counterparty, references, remittance text, charges and instructed amount of one transaction."""
    fields: dict[str, str | Decimal | None] = {
        "counterparty_name": "",
        "counterparty_account": "",
        "counterparty_bic": "",
        "remittance": doc.text(entry, "AddtlNtryInf"),
        "structured_ref": "",
        "bank_ref": "",
        "end_to_end_id": "",
    }
    if tx is None:
        return fields
    # Money in: the other party paid us, so it is the debtor.  A reversal
    # reports the original payment's parties, hence the flip.
    side = "Dbtr" if (amount >= 0) != reversal else "Cdtr"
    fields["counterparty_name"] = doc.text(tx, f"RltdPties/{side}/Nm", f"RltdPties/{side}/Pty/Nm")
    fields["counterparty_account"] = doc.text(
        tx, f"RltdPties/{side}Acct/Id/IBAN", f"RltdPties/{side}Acct/Id/Othr/Id"
    ).replace(" ", "")
    fields["counterparty_bic"] = doc.text(
        tx, f"RltdAgts/{side}Agt/FinInstnId/BIC", f"RltdAgts/{side}Agt/FinInstnId/BICFI"
    )
    unstructured = clean(" ".join(u.text or "" for u in doc.findall(tx, "RmtInf/Ustrd")))
    fields["remittance"] = unstructured or doc.text(tx, "AddtlTxInf") or fields["remittance"]
    fields["structured_ref"] = doc.text(tx, "RmtInf/Strd/CdtrRefInf/Ref")
    fields["bank_ref"] = doc.text(tx, "Refs/AcctSvcrRef")
    end_to_end = doc.text(tx, "Refs/EndToEndId")
    fields["end_to_end_id"] = "" if end_to_end.upper() == "NOTPROVIDED" else end_to_end
    instructed = doc.find(tx, "AmtDtls/InstdAmt/Amt")
    if instructed is not None:
        value, fields["original_currency"] = doc.money(instructed)
        fields["original_amount"] = -value if amount < 0 else value
    # the total (001.02/03) or one record per charge (001.04 and later)
    total = doc.find(tx, "Chrgs/TtlChrgsAndTaxAmt")
    charges = [total] if total is not None else doc.findall(tx, "Chrgs/Rcrd/Amt")
    if charges:
        fields["fees"] = sum((doc.money(charge)[0] for charge in charges), Decimal(0))
    return fields


CAMT053 = CamtParser("053", "BkToCstmrStmt", "Stmt", "statement")
CAMT052 = CamtParser("052", "BkToCstmrAcctRpt", "Rpt", "account report")
CAMT054 = CamtParser("054", "BkToCstmrDbtCdtNtfctn", "Ntfctn", "notification")
