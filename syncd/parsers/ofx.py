"""OFX statements: OFX 1.x (SGML), OFX 2.x (XML) and Quicken's QFX, bank and card accounts.

Both generations are read by one tokenizer rather than an XML parser: OFX 1.x is SGML whose
leaf elements are never closed (``<TRNAMT>12.50``), and OFX 2.x is the same vocabulary with
closing tags. An element followed by text is a leaf; any other opens an aggregate that its
closing tag ends. Nothing is ever expanded: a ``<!DOCTYPE`` or ``<!ENTITY`` is refused, and
only the five predefined XML character references are decoded.

Encodings: OFX 1.x declares one in its header (``CHARSET:1252``, ``ENCODING:UTF-8``), OFX 2.x
in the XML declaration, and both often lie. The content is read as UTF-8 when it is valid
UTF-8, else in the declared code page, else as cp1252; a result holding signs no statement
holds is refused naming the line, rather than names silently mangled.

Amounts (``TRNAMT``) are signed from the account holder's view, as the specification says;
``FITID`` is the bank's unique id of the transaction within the account, used as the bank
reference. OFX carries no opening balance, so balances cannot be checked; the ledger balance
is kept as the closing balance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from syncd.caps import MAX_FIELD_CHARS, MAX_RECORD_SIZE, field_too_long, record_too_large
from syncd.errors import InputError
from syncd.parsers.text import decode
from syncd.records import SourceRef, Statement, Transaction
from syncd.safexml import DEFAULT_MAX_BYTES, sniff_root

# text runs are cut at the field cap, so that a longer one is seen without being copied whole
_TOKEN = re.compile(r"<(/?)([A-Za-z0-9_.]{1,64})\s*(/?)>|<([!?])|([^<]{1,%d})" % (MAX_FIELD_CHARS + 1))
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
MAX_DEPTH = 32  # OFX nests about ten deep
_HEADER_FIELD = re.compile(r"^([A-Z]+):(.*)$")
_XML_ENCODING = re.compile(rb"<\?xml[^>]*encoding=[\"']([A-Za-z0-9_.-]+)[\"']")
_CHARSETS = {"1252": "cp1252", "ISO-8859-1": "latin-1", "8859-1": "latin-1", "UTF-8": "utf-8",
             "USASCII": "ascii", "NONE": ""}
_ENTITIES = {"&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"', "&apos;": "'"}
_STATEMENTS = (("STMTRS", "BANKACCTFROM"), ("CCSTMTRS", "CCACCTFROM"))


@dataclass
class _Node:
    name: str
    line: int
    text: str = ""
    children: list[_Node] = field(default_factory=list)

    def find(self, *path: str) -> _Node | None:
        node: _Node | None = self
        for name in path:
            node = next((child for child in node.children if child.name == name), None) if node else None
        return node

    def value(self, *path: str) -> str:
        node = self.find(*path)
        return node.text if node else ""

    def iter(self, name: str):
        for child in self.children:
            if child.name == name:
                yield child
            yield from child.iter(name)


class OfxParser:
    """The ``ofx`` format: OFX 1.x/2.x and QFX bank and credit card statements."""

    name = "ofx"
    description = "OFX/QFX statement"

    def detect(self, data: bytes) -> bool:
        head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
        if head.startswith(b"OFXHEADER:") or b"<?OFX " in head or (
                head.startswith(b"<?xml") and b"<OFX>" in head) or head.upper().startswith(b"<OFX>"):
            return True
        # OFX 2.x is XML: its root, wherever it starts and whatever error follows it
        root = sniff_root(data)
        return root is not None and root.localname == "OFX" and not root.namespace

    def parse(self, data: bytes, path: str, *, max_bytes: int = DEFAULT_MAX_BYTES,
              encoding: str | None = None) -> list[Statement]:
        if len(data) > max_bytes:
            raise InputError(path, "", f"file is {len(data)} bytes, more than the limit of {max_bytes} bytes")
        text = decode(data, path, encoding, declared=_declared(data))
        start = text.find("<OFX>")
        if start < 0:
            raise InputError(path, "line 1", "no <OFX> element: not an OFX statement")
        declaration = re.search(r"<!(DOCTYPE|ENTITY)", text[:start])
        if declaration:
            line = text.count("\n", 0, declaration.start()) + 1
            raise InputError(path, f"line {line}", "DOCTYPE and ENTITY declarations are refused in OFX")
        root = _tree(text, start, path)
        statements = []
        for kind, account_tag in _STATEMENTS:
            for rs in root.iter(kind):
                statements.append(_statement(rs, account_tag, path))
        if not statements:
            raise InputError(path, f"line {root.line}", "the file holds no bank or card statement "
                             "(no STMTRS or CCSTMTRS)")
        return statements


def _declared(data: bytes) -> str:
    """The code page the header or XML declaration names, as a Python codec name."""
    match = _XML_ENCODING.search(data[:1024])
    if match:
        return match.group(1).decode("ascii").lower()
    header = {}
    for raw in data[:1024].split(b"<", 1)[0].decode("ascii", "replace").splitlines():
        field_match = _HEADER_FIELD.match(raw.strip())
        if field_match:
            header[field_match.group(1)] = field_match.group(2).strip().upper()
    charset = _CHARSETS.get(header.get("CHARSET", ""), "")
    return charset or _CHARSETS.get(header.get("ENCODING", ""), "")


def _tree(text: str, start: int, path: str) -> _Node:
    root = _Node("", 0)
    stack = [root]
    line = text.count("\n", 0, start) + 1
    # comments go, their lines stay, so that line numbers still point into the file
    text = _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text[start:])
    pending: _Node | None = None  # an element whose text may follow
    record: _Node | None = None  # the transaction being read, and where it starts
    record_at = 0
    for match in _TOKEN.finditer(text):
        closing, name, empty, special, chars = match.groups()
        where = line
        line += match.group(0).count("\n")
        if record is not None and match.end() - record_at > MAX_RECORD_SIZE:
            raise InputError(path, f"line {record.line} <{record.name}>", record_too_large("the transaction"))
        if special:
            if text.startswith(("<!DOCTYPE", "<!ENTITY"), match.start()):
                raise InputError(path, f"line {where}", "DOCTYPE and ENTITY declarations are refused in OFX")
            raise InputError(path, f"line {where}", f"unexpected {text[match.start():match.start() + 10]!r}")
        if chars is not None:
            if len(chars) > MAX_FIELD_CHARS:
                what = f"the text of <{pending.name}>" if pending is not None else "a text"
                raise InputError(path, f"line {where}", field_too_long(what))
            if chars.strip() and pending is not None:
                pending.text = _unescape(" ".join(chars.split()))
                stack[-1].children.append(pending)
                pending = None
            elif chars.strip():
                raise InputError(path, f"line {where}", f"text {chars.strip()[:30]!r} outside any element")
            continue
        name = name.upper()
        if pending is not None:  # the previous element had no text: an aggregate
            stack[-1].children.append(pending)
            stack.append(pending)
            if pending.name == "STMTTRN" and record is None:
                record, record_at = pending, match.start()
            pending = None
        if empty:  # <MEMO/>
            stack[-1].children.append(_Node(name, where))
            continue
        if len(stack) > MAX_DEPTH:
            raise InputError(path, f"line {where}", f"elements nest more than {MAX_DEPTH} deep")
        if closing:
            if stack[-1].children and stack[-1].children[-1].name == name and not stack[-1].children[-1].children \
                    and stack[-1].name != name:
                continue  # the closing tag of a leaf (OFX 2.x)
            if not any(node.name == name for node in stack[1:]):
                raise InputError(path, f"line {where}", f"</{name}> closes no open element")
            while stack[-1].name != name:
                stack.pop()  # SGML: aggregates may be left open by sloppy writers
            stack.pop()
            if record is not None and not any(node is record for node in stack):
                record = None
            if len(stack) == 1:
                break
        else:
            pending = _Node(name, where)
    if pending is not None:
        stack[-1].children.append(pending)
    if len(stack) > 1:
        raise InputError(path, f"line {line}", f"<{stack[-1].name}> is never closed: is the file truncated?")
    ofx = root.find("OFX")
    if ofx is None:
        raise InputError(path, f"line {line}", "no <OFX> element")
    return ofx


def _unescape(text: str) -> str:
    return re.sub(r"&(lt|gt|amp|quot|apos);", lambda m: _ENTITIES[m.group(0)], text)


def _amount(node: _Node, name: str, path: str) -> Decimal:
    found = node.find(name)
    text = found.text.replace(",", ".") if found else ""
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        where = found.line if found else node.line
        raise InputError(path, f"line {where} <{name}>", f"{text!r} is not a valid amount")
    return Decimal(text)


def _date(node: _Node, name: str, path: str, required: bool = True) -> date | None:
    """``20260115``, ``20260115120000.000[-5:EST]``: the date part."""
    found = node.find(name)
    if found is None or not found.text:
        if required:
            raise InputError(path, f"line {node.line} <{node.name}>", f"missing <{name}>")
        return None
    try:
        return date(int(found.text[:4]), int(found.text[4:6]), int(found.text[6:8]))
    except ValueError:
        raise InputError(path, f"line {found.line} <{name}>", f"{found.text!r} is not a valid date") from None


def _statement(rs: _Node, account_tag: str, path: str) -> Statement:
    account_node = rs.find(account_tag)
    if account_node is None or not account_node.value("ACCTID"):
        raise InputError(path, f"line {rs.line} <{rs.name}>", f"missing <{account_tag}><ACCTID>: the account")
    account = account_node.value("ACCTID").replace(" ", "")
    currency = rs.value("CURDEF").upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise InputError(path, f"line {rs.line} <{rs.name}>", f"<CURDEF> {currency!r} is not an ISO 4217 code")
    transactions_node = rs.find("BANKTRANLIST")
    start = _date(transactions_node, "DTSTART", path, required=False) if transactions_node else None
    end = _date(transactions_node, "DTEND", path, required=False) if transactions_node else None
    statement_id = f"{account}:{start or ''}..{end or ''}"
    transactions = []
    for trn in transactions_node.iter("STMTTRN") if transactions_node else ():
        transactions.append(_transaction(trn, account, currency, statement_id, path))
    ledger = rs.find("LEDGERBAL")
    closing = _amount(ledger, "BALAMT", path) if ledger else None
    return Statement(statement_id=statement_id, account=account, currency=currency,
                     source=SourceRef(path, f"line {rs.line} <{rs.name}>"), closing_balance=closing,
                     transactions=tuple(transactions))


def _transaction(trn: _Node, account: str, currency: str, statement_id: str, path: str) -> Transaction:
    amount = _amount(trn, "TRNAMT", path)
    posted = _date(trn, "DTPOSTED", path)
    assert posted is not None  # required
    name = trn.value("NAME") or trn.value("PAYEE", "NAME")
    original_currency, original_amount = "", None
    foreign = trn.find("CURRENCY")  # TRNAMT is in that currency, CURRATE converts it to CURDEF
    conversion = foreign or trn.find("ORIGCURRENCY")  # or: TRNAMT is in CURDEF, converted at CURRATE
    if conversion is not None:
        rate = _amount(conversion, "CURRATE", path)
        original_currency = conversion.value("CURSYM").upper()
        if not rate:
            raise InputError(path, f"line {conversion.line} <CURRATE>", "the rate is zero")
        if foreign is not None:
            original_amount, amount = amount, (amount * rate).quantize(Decimal("0.01"))
        else:
            original_amount = (amount / rate).quantize(Decimal("0.01"))
    return Transaction(
        account=account,
        currency=currency,
        booking_date=posted,
        value_date=_date(trn, "DTAVAIL", path, required=False) or _date(trn, "DTUSER", path, required=False),
        amount=amount,
        source=SourceRef(path, f"line {trn.line} <STMTTRN>"),
        counterparty_name=name,
        counterparty_account=trn.value("BANKACCTTO", "ACCTID").replace(" ", ""),
        remittance=trn.value("MEMO"),
        bank_ref=trn.value("FITID"),
        end_to_end_id=trn.value("REFNUM") or trn.value("CHECKNUM"),
        statement_id=statement_id,
        original_currency=original_currency,
        original_amount=original_amount,
    )


OFX = OfxParser()
