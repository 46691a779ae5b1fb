"""OFX statements: OFX 1.x (SGML), OFX 2.x (XML) and Quicken's QFX; bank, card and
investment accounts.

Both generations are read by one tokenizer rather than an XML parser: OFX 1.x is SGML whose
leaf elements are never closed (``<TRNAMT>12.50``), and OFX 2.x is the same vocabulary with
closing tags. Real files mix the two and break both, so the tree is built as an SGML parser
with OFX's DTD in mind would build it:

- an element followed by text is a leaf; its closing tag, when there is one, is skipped;
- an element followed by a tag is an aggregate, unless it is a known leaf (``<MEMO>``,
  ``<BALAMT>`` left empty); an unknown one that its parent's closing tag ends unclosed was
  an empty leaf after all, and what it seemed to hold goes back to its parent;
- an aggregate opens where OFX puts it: a ``<STMTTRN>`` ends the one before it, a
  ``<LEDGERBAL>`` ends a ``<BANKTRANLIST>`` left open, a ``<STMTTRNRS>`` the previous one;
- a closing tag that closes nothing open (a leaf's, late, or a typo's) is ignored;
- tags are read in any case, CDATA sections as text, comments and processing instructions
  skipped; character references and HTML's named entities (``&amp;``, ``&eacute;``,
  ``&#232;``) are decoded, anything else kept as written (``AT&T``). Nothing is ever
  expanded: a ``<!DOCTYPE`` or ``<!ENTITY`` is refused.

A file whose ``<OFX>`` is never closed is refused as truncated, naming what is left open, as
is one cut inside a comment after it. Several ``<OFX>`` responses one after the other are all
read. The file is recognised by its header or its ``<OFX><SIGNONMSGSRSV1>`` even after a
preamble (a saved HTTP response's headers) or NUL padding.

Encodings: OFX 1.x declares one in its header (``CHARSET:1252``, ``ENCODING:UTF-8``), OFX 2.x
in the XML declaration, and both often lie. The content is read as UTF-8 when it is valid
UTF-8, else in the declared code page, else as cp1252; a result holding signs no statement
holds is refused naming the line, rather than names silently mangled.

What is read: every bank (``STMTRS``), card (``CCSTMTRS``) and investment (``INVSTMTRS``)
statement of the file, each a statement of its own. Amounts (``TRNAMT``) are signed from the
account holder's view, as the specification says, and may be written ``+12.50``, ``12,50``,
``.50`` or ``1,234.50``. ``FITID`` is the bank's unique id of the transaction within the
account, used as the bank reference, unless the file repeats it for another transaction
(then those transactions get content fingerprints, so that none is lost as a duplicate).
Dates are the local dates written (``20260115120000.000[-5:EST]`` is 15 January), whatever
the time zone; without ``DTPOSTED`` the ``DTUSER`` or ``DTAVAIL`` applies. The counterparty
is ``NAME``, else ``PAYEE/NAME``; a transaction in another currency (``CURRENCY``) is
converted at its ``CURRATE`` and keeps its original amount, or stays in that currency when
no rate is given; ``ORIGCURRENCY`` gives the original amount. An empty ``<CURDEF>`` is the
currency of the file's other statements, else USD (OFX's home). Pending transactions
(``STMTTRNP``) are left out with a count.

Balances: the ledger balance (``LEDGERBAL``) is the closing balance and its ``DTASOF`` the
statement's date; OFX has no opening balance, so there is nothing to check the movements
against and no statement is ever flagged. An empty ``<BALAMT>`` is no balance.

Investment statements: their cash movements are read: bank transactions in the account
(``INVBANKTRAN``) and trades, income and expenses that move cash (``BUY*``, ``SELL*``,
``INCOME``, ``RETOFCAP``, ``MARGININTEREST``, ``INVEXPENSE``: their ``TOTAL``). Movements of
securities without cash (``REINVEST``, ``TRANSFER``, ``SPLIT``, ``JRNLSEC``, ``JRNLFUND``,
``CLOSUREOPT``) are left out with a count and that reason. The cash balance
(``INVBAL/AVAILCASH``) is the closing balance, as of the statement's ``DTASOF``.

Refused: a file without statements because the bank answered with an error (``SEVERITY``
``ERROR``) or the sign-on failed, in the bank's own words (a file that holds only a successful
sign-on or an account list gives no statement and is not refused: nothing to import); a
statement without an account; a transaction without an amount or a date. An error response
beside statements of other accounts does not stop those from being read.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from html.entities import html5

from syncd.caps import MAX_FIELD_CHARS, MAX_RECORD_SIZE, field_too_long, record_too_large
from syncd.errors import InputError
from syncd.parsers.text import decode
from syncd.records import SourceRef, Statement, Transaction
from syncd.safexml import DEFAULT_MAX_BYTES, sniff_root

# text runs are cut at the field cap, so that a longer one is seen without being copied whole
_TOKEN = re.compile(
    r"<(/?)([A-Za-z][A-Za-z0-9_.:-]{0,63})\s*(/?)>"  # a tag
    r"|<!--(?:.*?)-->"  # a comment
    r"|<!\[CDATA\[(.{0,%d}?)\]\]>"  # a CDATA section: text, as it is
    r"|<\?.*?\?>"  # a processing instruction
    r"|(<[!?]?)"  # anything else that starts like markup
    r"|([^<]{1,%d})" % (MAX_FIELD_CHARS + 1, MAX_FIELD_CHARS + 1),
    re.DOTALL,
)
_BODY = re.compile(r"<OFX\s*>", re.IGNORECASE)
_HEADER_LINE = re.compile(rb"^[ \t]*OFXHEADER[ \t]*:[ \t]*\d", re.MULTILINE)
_SIGNON_START = re.compile(rb"<OFX>\s*<SIGNONMSGSRSV1>")
MAX_DEPTH = 32  # OFX nests about ten deep
_HEADER_FIELD = re.compile(r"^\s*([A-Za-z]+)\s*:(.*)$")
_XML_ENCODING = re.compile(rb"<\?xml[^>]*encoding=[\"']([A-Za-z0-9_.-]+)[\"']")
_CHARSETS = {"ISO-8859-1": "latin-1", "8859-1": "latin-1", "UTF-8": "utf-8", "UTF8": "utf-8",
             "USASCII": "ascii", "NONE": ""}
_ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
#: OFX's home: the currency of a statement whose ``CURDEF`` is left empty, when no other
#: statement of the file names one
DEFAULT_CURRENCY = "USD"

#: the aggregates of OFX that statements are read from (an element not named here that holds
#: others is an aggregate only when its closing tag says so)
_AGGREGATES = frozenset("""
    OFX SIGNONMSGSRSV1 SONRS STATUS FI BANKMSGSRSV1 CREDITCARDMSGSRSV1 INVSTMTMSGSRSV1
    SECLISTMSGSRSV1 SIGNUPMSGSRSV1 PROFMSGSRSV1 STMTTRNRS CCSTMTTRNRS INVSTMTTRNRS STMTENDTRNRS
    CCSTMTENDTRNRS STMTRS CCSTMTRS INVSTMTRS BANKACCTFROM CCACCTFROM INVACCTFROM BANKACCTTO
    CCACCTTO BANKTRANLIST BANKTRANLISTP INVTRANLIST STMTTRN STMTTRNP PAYEE CURRENCY ORIGCURRENCY
    LEDGERBAL AVAILBAL BALLIST BAL INVBANKTRAN INVBAL INVPOSLIST INVOOLIST INVTRAN INVBUY INVSELL
    SECID BUYSTOCK SELLSTOCK BUYMF SELLMF BUYDEBT SELLDEBT BUYOPT SELLOPT BUYOTHER SELLOTHER
    INCOME REINVEST RETOFCAP SPLIT TRANSFER MARGININTEREST INVEXPENSE JRNLFUND JRNLSEC CLOSUREOPT
    POSSTOCK POSMF POSDEBT POSOPT POSOTHER INVPOS SECLIST STOCKINFO MFINFO DEBTINFO OPTINFO
    OTHERINFO SECINFO INV401K INV401KBAL OO OOBUYSTOCK OOSELLSTOCK OOBUYMF OOSELLMF REWARDINFO
""".split())
#: the leaves that real files leave empty (``<MEMO>`` followed by the next tag)
_LEAVES = frozenset("""
    CODE SEVERITY MESSAGE DTSERVER LANGUAGE DTPROFUP DTACCTUP ORG FID TRNUID CURDEF BANKID
    BRANCHID ACCTID ACCTTYPE ACCTKEY BROKERID DTSTART DTEND TRNTYPE DTPOSTED DTUSER DTAVAIL
    TRNAMT FITID SRVRTID CHECKNUM REFNUM SIC PAYEEID NAME EXTDNAME MEMO CURRATE CURSYM BALAMT
    DTASOF MKTGINFO DTTRADE DTSETTLE UNITS UNITPRICE TOTAL COMMISSION FEES TAXES LOAD UNIQUEID
    UNIQUEIDTYPE SUBACCTSEC SUBACCTFUND INCOMETYPE BUYTYPE SELLTYPE AVAILCASH MARGINBALANCE
    SHORTBALANCE SECNAME TICKER ADDR1 ADDR2 ADDR3 CITY STATE POSTALCODE COUNTRY PHONE
""".split())
#: where an aggregate belongs: opening it ends whatever is still open inside its parent
_PARENTS = {
    **dict.fromkeys(("SIGNONMSGSRSV1", "BANKMSGSRSV1", "CREDITCARDMSGSRSV1", "INVSTMTMSGSRSV1",
                     "SECLISTMSGSRSV1", "SIGNUPMSGSRSV1", "PROFMSGSRSV1"), ("OFX",)),
    "STMTTRNRS": ("BANKMSGSRSV1",), "CCSTMTTRNRS": ("CREDITCARDMSGSRSV1",),
    "INVSTMTTRNRS": ("INVSTMTMSGSRSV1",), "STMTRS": ("STMTTRNRS",), "CCSTMTRS": ("CCSTMTTRNRS",),
    "INVSTMTRS": ("INVSTMTTRNRS",),
    **dict.fromkeys(("BANKTRANLIST", "LEDGERBAL", "AVAILBAL", "BANKTRANLISTP"), ("STMTRS", "CCSTMTRS")),
    "BANKACCTFROM": ("STMTRS",), "CCACCTFROM": ("CCSTMTRS",),
    **dict.fromkeys(("INVACCTFROM", "INVTRANLIST", "INVPOSLIST", "INVBAL", "INVOOLIST"), ("INVSTMTRS",)),
    "STMTTRN": ("BANKTRANLIST", "INVBANKTRAN"), "STMTTRNP": ("BANKTRANLISTP",),
    "INVBANKTRAN": ("INVTRANLIST",), "SECLIST": ("SECLISTMSGSRSV1",),
}
_STATEMENTS = {"STMTRS": "BANKACCTFROM", "CCSTMTRS": "CCACCTFROM", "INVSTMTRS": "INVACCTFROM"}
_RESPONSES = ("STMTTRNRS", "CCSTMTTRNRS", "INVSTMTTRNRS")
#: investment transactions whose TOTAL moves the account's cash
_CASH_TRADES = frozenset("""
    BUYSTOCK SELLSTOCK BUYMF SELLMF BUYDEBT SELLDEBT BUYOPT SELLOPT BUYOTHER SELLOTHER INCOME
    RETOFCAP MARGININTEREST INVEXPENSE
""".split())
_RECORDS = frozenset(("STMTTRN", *_CASH_TRADES, "REINVEST", "TRANSFER", "SPLIT", "JRNLSEC", "JRNLFUND",
                      "CLOSUREOPT"))
_NO_CASH = {"REINVEST": "reinvested income (REINVEST): no cash moves",
            **dict.fromkeys(("TRANSFER", "SPLIT", "JRNLSEC", "JRNLFUND", "CLOSUREOPT"),
                            "securities moved without cash (TRANSFER, SPLIT, JRNLSEC, JRNLFUND, CLOSUREOPT)")}


@dataclass
class _Node:
    name: str
    line: int
    text: str = ""
    children: list[_Node] = field(default_factory=list)

    def find(self, *path: str) -> _Node | None:
        node: _Node | None = self
        for name in path:
            if node is None:
                return None
            for child in node.children:
                if child.name == name:
                    node = child
                    break
            else:
                return None
        return node

    def value(self, *path: str) -> str:
        node = self.find(*path)
        return node.text if node else ""

    def iter(self, name: str):
        for child in self.children:
            if child.name == name:
                yield child
            if child.children:
                yield from child.iter(name)


class OfxParser:
    """The ``ofx`` format: OFX 1.x/2.x and QFX bank, credit card and investment statements."""

    name = "ofx"
    description = "OFX/QFX statement"

    def detect(self, data: bytes) -> bool:
        head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n\x00").upper()
        if head.startswith(b"OFXHEADER") or b"<?OFX " in head or head.startswith(b"<OFX>") or (
                head.startswith(b"<?XML") and b"<OFX>" in head) or _HEADER_LINE.search(head[:1024]) or (
                _SIGNON_START.search(head)):
            return True  # a header or body after some preamble (a saved HTTP response's headers)
        # OFX 2.x is XML: its root, wherever it starts and whatever error follows it
        root = sniff_root(data)
        return root is not None and root.localname == "OFX" and not root.namespace

    def parse(self, data: bytes, path: str, *, max_bytes: int = DEFAULT_MAX_BYTES,
              encoding: str | None = None) -> list[Statement]:
        if len(data) > max_bytes:
            raise InputError(path, "", f"file is {len(data)} bytes, more than the limit of {max_bytes} bytes")
        text = decode(data, path, encoding, declared=_declared(data))
        body = _BODY.search(text)
        if body is None:
            raise InputError(path, "line 1", "no <OFX> element: not an OFX statement")
        declaration = re.search(r"<!(DOCTYPE|ENTITY)", text[:body.start()], re.IGNORECASE)
        if declaration:
            line = text.count("\n", 0, declaration.start()) + 1
            raise InputError(path, f"line {line}", "DOCTYPE and ENTITY declarations are refused in OFX")
        bodies = []
        while body is not None:  # a download may hold several responses, one after the other
            ofx, end = _tree(text, body.start(), path)
            bodies.append(ofx)
            body = _BODY.search(text, end)
        root = _Node("OFX", bodies[0].line, children=[child for ofx in bodies for child in ofx.children])
        securities = _securities(root)
        nodes = list(_statement_nodes(root))
        named = (node.value("CURDEF").upper() for node in nodes)
        default = next((currency for currency in named if re.fullmatch(r"[A-Z]{3}", currency)), DEFAULT_CURRENCY)
        statements = []
        for node in nodes:
            if node.name == "INVSTMTRS":
                statements.append(_investment_statement(node, path, default, securities))
            else:
                statements.append(_statement(node, path, default))
        if not statements:
            refusal = _refusal(root)
            if refusal:
                raise InputError(path, f"line {root.line}", refusal)
        return _unique_references(statements)


def _declared(data: bytes) -> str:
    """The code page the header or XML declaration names, as a Python codec name."""
    match = _XML_ENCODING.search(data[:1024])
    if match:
        return match.group(1).decode("ascii").lower()
    header = {}
    for raw in data[:1024].split(b"<", 1)[0].decode("ascii", "replace").splitlines():
        field_match = _HEADER_FIELD.match(raw)
        if field_match:
            header[field_match.group(1).upper()] = field_match.group(2).strip().upper()
    return _charset(header.get("CHARSET", "")) or _charset(header.get("ENCODING", ""))


def _charset(name: str) -> str:
    if name.isdigit():  # CHARSET:1252
        return f"cp{name}"
    return _CHARSETS.get(name, name.lower() if name.startswith(("ISO-", "WINDOWS-", "CP")) else "")


class _Builder:
    """The tree of an OFX body, built token by token as described in the module's docstring."""

    def __init__(self, path: str):
        self.path = path
        self.root = _Node("", 0)
        self.stack = [self.root]
        self.pending: _Node | None = None  # an element whose text may follow
        self.leaf: _Node | None = None  # the leaf whose text was read last, if no tag followed

    def text(self, chars: str, where: int):
        if self.pending is not None:
            self.pending.text = chars
            self.stack[-1].children.append(self.pending)
            self.leaf, self.pending = self.pending, None
        elif self.leaf is not None:  # ``<NAME>A <B> C``: a sign that only looked like markup
            self.leaf.text = f"{self.leaf.text} {chars}".strip()
        else:
            raise InputError(self.path, f"line {where}", f"text {chars[:30]!r} outside any element")

    def settle(self):
        """The element before a tag: an empty leaf when known as one, else an aggregate."""
        pending, self.pending, self.leaf = self.pending, None, None
        if pending is None:
            return
        self.stack[-1].children.append(pending)
        if pending.name not in _LEAVES:
            if len(self.stack) > MAX_DEPTH:
                raise InputError(self.path, f"line {pending.line}", f"elements nest more than {MAX_DEPTH} deep")
            self.stack.append(pending)

    def open(self, name: str, where: int):
        self.settle()
        parents = _PARENTS.get(name)
        if parents:
            depth = next((i for i in range(len(self.stack) - 1, 0, -1) if self.stack[i].name in parents), None)
            if depth is not None:
                self.close_to(depth + 1)
        self.pending = _Node(name, where)

    def close(self, name: str) -> bool:
        """``</name>``; whether it closed the whole body."""
        if self.pending is not None and self.pending.name == name:  # <MEMO></MEMO>
            self.stack[-1].children.append(self.pending)
            self.pending = None
            return False
        leaf = self.leaf
        self.settle()
        if leaf is not None and leaf.name == name:
            return False  # the closing tag of a leaf (OFX 2.x)
        depth = next((i for i in range(len(self.stack) - 1, 0, -1) if self.stack[i].name == name), None)
        if depth is None:
            return False  # closes nothing open: a leaf's closing tag, late, or a writer's slip
        self.close_to(depth)
        return len(self.stack) == 1

    def close_to(self, depth: int):
        """End the open elements from ``depth`` up; one not known as an aggregate and left
        unclosed was an empty leaf: what it seemed to hold belongs to its parent."""
        while len(self.stack) > depth:
            node = self.stack.pop()
            parent = self.stack[-1]
            if node.name not in _AGGREGATES and node.children and parent.children[-1] is node:
                parent.children.extend(node.children)
                node.children = []


def _tree(text: str, start: int, path: str) -> tuple[_Node, int]:
    """The ``<OFX>`` element that starts at ``start``, and where it ends."""
    builder = _Builder(path)
    line = text.count("\n", 0, start) + 1
    record: _Node | None = None  # the transaction being read, where it starts, how deep
    record_at = record_depth = 0
    end = len(text)
    for match in _TOKEN.finditer(text, start):
        closing, name, empty, cdata, markup, chars = match.groups()
        where = line
        line += text.count("\n", match.start(), match.end())
        if record is not None and match.end() - record_at > MAX_RECORD_SIZE:
            raise InputError(path, f"line {record.line} <{record.name}>", record_too_large("the transaction"))
        if chars is not None or cdata is not None:
            if len(chars if chars is not None else cdata) > MAX_FIELD_CHARS:
                what = f"the text of <{builder.pending.name}>" if builder.pending is not None else "a text"
                raise InputError(path, f"line {where}", field_too_long(what))
            value = " ".join(_unescape(chars).split()) if chars is not None else " ".join(cdata.split())
            if value or (cdata is not None and builder.pending is not None):
                builder.text(value, where)
            continue
        if markup is not None:
            rest = text[match.start():match.start() + 12].upper()
            if rest.startswith(("<!DOCTYPE", "<!ENTITY")):
                raise InputError(path, f"line {where}", "DOCTYPE and ENTITY declarations are refused in OFX")
            if markup == "<" and builder.leaf is not None:
                builder.text("<", where)
                continue
            raise InputError(path, f"line {where}", f"unexpected {text[match.start():match.start() + 10]!r}")
        if name is None:
            continue  # a comment or a processing instruction
        name = name.upper()
        if empty:  # <MEMO/>
            builder.settle()
            builder.stack[-1].children.append(_Node(name, where))
        elif closing:
            if builder.close(name):
                end = match.end()
                _check_trailer(text, end, line, path)
                break
        else:
            builder.open(name, where)
            if name in _RECORDS:
                record, record_at, record_depth = builder.pending, match.start(), len(builder.stack)
                continue
        if record is not None and (len(builder.stack) <= record_depth or builder.stack[record_depth] is not record):
            record = None
    builder.settle()
    if len(builder.stack) > 1:
        open_names = "".join(f"<{node.name}>" for node in builder.stack[1:])
        raise InputError(path, f"line {line}", f"{open_names} never closed: is the file truncated?")
    ofx = builder.root.find("OFX")
    if ofx is None:
        raise InputError(path, f"line {line}", "no <OFX> element")
    return ofx, end


def _check_trailer(text: str, end: int, line: int, path: str):
    """A comment left open after ``</OFX>`` says the file was cut."""
    rest = re.sub(r"<!--.*?-->", "", text[end:end + 65536], flags=re.DOTALL)
    if "<!--" in rest:
        raise InputError(path, f"line {line}", "a comment after </OFX> is never closed: is the file truncated?")


def _unescape(text: str) -> str:
    """Character references and named entities (``&amp;``, ``&eacute;``, ``&#232;``) decoded;
    anything else kept as written."""
    def replace_entity(match: re.Match) -> str:
        name = match.group(1)
        if name[0] != "#":
            return html5.get(name + ";", match.group(0)).replace("\xa0", " ")
        code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
        return chr(code) if 0 < code < 0x110000 and not 0xD800 <= code < 0xE000 else match.group(0)
    return _ENTITY.sub(replace_entity, text) if "&" in text else text


def _statement_nodes(root: _Node):
    """The statements, in the order of the file."""
    for child in root.children:
        if child.name in _STATEMENTS:
            yield child
        else:
            yield from _statement_nodes(child)


def _status(node: _Node) -> str:
    """``code 2000 (ERROR): the bank's message`` when a response's status is an error."""
    status = node.find("STATUS")
    if status is None or status.value("SEVERITY").upper() != "ERROR":
        return ""
    message = status.value("MESSAGE")
    return f"code {status.value('CODE') or '?'} (ERROR)" + (f": {message}" if message else "")


def _refusal(root: _Node) -> str:
    """Why a file without statements is refused: the bank answered with an error. A file that
    holds only a sign-on, or an account list, is not refused: there is nothing to import."""
    errors = [f"<{rs.name}> line {rs.line}: {_status(rs)}" for name in _RESPONSES for rs in root.iter(name)
              if _status(rs)]
    if errors:
        return "the bank sent an error instead of a statement: " + "; ".join(errors)
    signon = root.find("SIGNONMSGSRSV1", "SONRS")
    if signon is not None and _status(signon):
        return f"the sign-on failed, the file holds no statement: {_status(signon)}"
    return ""


def _money(node: _Node | None, name: str, path: str, where: _Node) -> Decimal:
    """``12.50``, ``+12.50``, ``-12,50``, ``.50``, ``1,234.50``, ``1.234,50``."""
    found = node.find(name) if node is not None else None
    text = "".join(found.text.split()) if found else ""
    normal = text.lstrip("+")
    if "," in normal and "." in normal:  # the last separator is the decimal one
        thousands = "," if normal.rfind(",") < normal.rfind(".") else "."
        normal = normal.replace(thousands, "").replace(",", ".")
    elif normal.count(",") == 1:
        normal = normal.replace(",", ".")
    elif normal.count(",") > 1 and re.fullmatch(r"-?\d{1,3}(,\d{3})+", normal):
        normal = normal.replace(",", "")
    if not re.fullmatch(r"-?(\d+(\.\d*)?|\.\d+)", normal):
        line = found.line if found else where.line
        raise InputError(path, f"line {line} <{name}>", f"{text!r} is not a valid amount")
    try:
        return Decimal(normal)
    except InvalidOperation:  # pragma: no cover - the pattern allows only numbers
        raise InputError(path, f"line {where.line} <{name}>", f"{text!r} is not a valid amount") from None


def _date(node: _Node | None, name: str, path: str) -> date | None:
    """``20260115``, ``20260115120000.000[-5:EST]``: the date part; ``None`` when absent or empty."""
    found = node.find(name) if node is not None else None
    if found is None or not found.text:
        return None
    match = re.match(r"(\d{4})-?(\d{2})-?(\d{2})", found.text)
    try:
        if match is None:
            raise ValueError
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise InputError(path, f"line {found.line} <{name}>", f"{found.text!r} is not a valid date") from None


def _account(rs: _Node, path: str, default_currency: str) -> tuple[str, str]:
    tag = _STATEMENTS[rs.name]
    # its own kind of account, else another kind (a card statement naming a bank account)
    account_node = next((node for name in (tag, *_STATEMENTS.values()) for node in (rs.find(name),) if node), None) \
        or next(rs.iter(tag), None)
    account = account_node.value("ACCTID").replace(" ", "") if account_node else ""
    if not account:
        raise InputError(path, f"line {rs.line} <{rs.name}>", f"missing <{tag}><ACCTID>: the account")
    currency = rs.value("CURDEF").upper() or default_currency
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise InputError(path, f"line {rs.line} <{rs.name}>", f"<CURDEF> {currency!r} is not an ISO 4217 code")
    return account, currency


def _statement(rs: _Node, path: str, default_currency: str) -> Statement:
    account, currency = _account(rs, path, default_currency)
    transactions_node = rs.find("BANKTRANLIST")
    start, end = _date(transactions_node, "DTSTART", path), _date(transactions_node, "DTEND", path)
    statement_id = f"{account}:{start or ''}..{end or ''}"
    transactions = [_transaction(trn, account, currency, statement_id, path)
                    for list_node in rs.iter("BANKTRANLIST") for trn in list_node.iter("STMTTRN")]
    pending = sum(1 for _ in rs.iter("STMTTRNP"))
    closing = closing_date = None
    ledger = rs.find("LEDGERBAL")
    if ledger is not None and ledger.value("BALAMT"):
        closing, closing_date = _money(ledger, "BALAMT", path, ledger), _date(ledger, "DTASOF", path)
    last_booked = max((tx.booking_date for tx in transactions), default=end)
    return Statement(statement_id=statement_id, account=account, currency=currency,
                     source=SourceRef(path, f"line {rs.line} <{rs.name}>"), closing_balance=closing,
                     transactions=tuple(transactions), statement_date=closing_date or last_booked,
                     left_out=(("pending transaction (STMTTRNP)", pending),) if pending else ())


def _converted(node: _Node, amount: Decimal, currency: str, path: str) -> tuple[str, Decimal, str, Decimal | None]:
    """The currency and amount in the statement's currency, and the original ones, from a
    ``CURRENCY`` aggregate (the amounts are in ``CURSYM``: ``CURRATE`` converts them) or an
    ``ORIGCURRENCY`` one (they were converted from ``CURSYM`` at ``CURRATE``)."""
    foreign = node.find("CURRENCY")
    conversion = foreign or node.find("ORIGCURRENCY")
    if conversion is None:
        return currency, amount, "", None
    symbol = conversion.value("CURSYM").upper()
    if not re.fullmatch(r"[A-Z]{3}", symbol) or symbol == currency:
        return currency, amount, "", None
    rate = _money(conversion, "CURRATE", path, conversion) if conversion.value("CURRATE") else None
    if rate is not None and not rate:
        raise InputError(path, f"line {conversion.line} <CURRATE>", "the rate is zero")
    if foreign is not None:
        if rate is None:  # in that currency, with nothing to convert it: kept in it
            return symbol, amount, "", None
        return currency, (amount * rate).quantize(Decimal("0.01")), symbol, amount
    return currency, amount, symbol, None if rate is None else (amount / rate).quantize(Decimal("0.01"))


def _transaction(trn: _Node, account: str, currency: str, statement_id: str, path: str) -> Transaction:
    amount = _money(trn, "TRNAMT", path, trn)
    posted = _date(trn, "DTPOSTED", path) or _date(trn, "DTUSER", path) or _date(trn, "DTAVAIL", path)
    if posted is None:
        raise InputError(path, f"line {trn.line} <STMTTRN>", "missing <DTPOSTED>: the transaction's date")
    currency, amount, original_currency, original_amount = _converted(trn, amount, currency, path)
    name = trn.value("NAME") or trn.value("PAYEE", "NAME") or trn.value("EXTDNAME")
    return Transaction(
        account=account,
        currency=currency,
        booking_date=posted,
        value_date=_date(trn, "DTAVAIL", path) or _date(trn, "DTUSER", path),
        amount=amount,
        source=SourceRef(path, f"line {trn.line} <STMTTRN>"),
        counterparty_name=name,
        counterparty_account=(trn.value("BANKACCTTO", "ACCTID") or trn.value("CCACCTTO", "ACCTID")).replace(" ", ""),
        remittance=trn.value("MEMO"),
        bank_ref=trn.value("FITID"),
        end_to_end_id=trn.value("REFNUM") or trn.value("CHECKNUM"),
        statement_id=statement_id,
        original_currency=original_currency,
        original_amount=original_amount,
    )


def _securities(root: _Node) -> dict[str, str]:
    """Security id -> its ticker or name, from the file's security list."""
    names = {}
    for info in root.iter("SECINFO"):
        names[info.value("SECID", "UNIQUEID")] = info.value("TICKER") or info.value("SECNAME")
    return names


def _investment_statement(rs: _Node, path: str, default_currency: str,
                          securities: dict[str, str]) -> Statement:
    account, currency = _account(rs, path, default_currency)
    tranlist = rs.find("INVTRANLIST")
    start, end = _date(tranlist, "DTSTART", path), _date(tranlist, "DTEND", path)
    statement_id = f"{account}:{start or ''}..{end or ''}"
    transactions: list[Transaction] = []
    left_out: Counter[str] = Counter()
    for node in tranlist.children if tranlist is not None else ():
        if node.name == "INVBANKTRAN":
            transactions.extend(_transaction(trn, account, currency, statement_id, path)
                                for trn in node.iter("STMTTRN"))
        elif node.name in _CASH_TRADES:
            if not (node.find("TOTAL") or next(node.iter("TOTAL"), None)):
                left_out[f"investment transaction without a TOTAL ({node.name})"] += 1
                continue
            transactions.append(_trade(node, account, currency, statement_id, path, securities))
        elif node.name in _NO_CASH:
            left_out[_NO_CASH[node.name]] += 1
    balance = rs.find("INVBAL")
    closing = None
    if balance is not None and balance.value("AVAILCASH"):
        closing = _money(balance, "AVAILCASH", path, balance)
    as_of = _date(rs, "DTASOF", path)
    return Statement(statement_id=statement_id, account=account, currency=currency,
                     source=SourceRef(path, f"line {rs.line} <{rs.name}>"), closing_balance=closing,
                     transactions=tuple(transactions),
                     statement_date=as_of or max((tx.booking_date for tx in transactions), default=end),
                     left_out=tuple(left_out.items()))


def _trade(node: _Node, account: str, currency: str, statement_id: str, path: str,
           securities: dict[str, str]) -> Transaction:
    """A trade, income or expense of an investment account, as the cash it moves (``TOTAL``)."""
    detail = node.find("INVBUY") or node.find("INVSELL") or node
    tran = detail.find("INVTRAN") or node.find("INVTRAN") or detail
    amount = _money(detail, "TOTAL", path, node)
    traded = _date(tran, "DTTRADE", path)
    settled = _date(tran, "DTSETTLE", path)
    if traded is None and settled is None:
        raise InputError(path, f"line {node.line} <{node.name}>", "missing <DTTRADE>: the transaction's date")
    currency, amount, original_currency, original_amount = _converted(detail, amount, currency, path)
    security = detail.value("SECID", "UNIQUEID")
    units, price = detail.value("UNITS"), detail.value("UNITPRICE")
    what = " ".join(part for part in (
        node.name, node.value("INCOMETYPE"), units, securities.get(security) or security,
        f"@ {price}" if price else "") if part)
    memo = tran.value("MEMO")
    return Transaction(
        account=account,
        currency=currency,
        booking_date=traded or settled,  # type: ignore[arg-type]  # one of them is set
        value_date=settled if traded else None,
        amount=amount,
        source=SourceRef(path, f"line {node.line} <{node.name}>"),
        remittance=f"{what}: {memo}" if memo else what,
        bank_ref=tran.value("FITID"),
        statement_id=statement_id,
        original_currency=original_currency,
        original_amount=original_amount,
    )


def _unique_references(statements: list[Statement]) -> list[Statement]:
    """A FITID the file gives to more than one transaction of an account is no reference:
    those transactions are keyed by their content (and occurrence) instead."""
    counts = Counter((tx.account, tx.bank_ref) for st in statements for tx in st.transactions if tx.bank_ref)
    repeated = {key for key, count in counts.items() if count > 1}
    if not repeated:
        return statements
    return [replace(st, transactions=tuple(
        replace(tx, bank_ref="") if (tx.account, tx.bank_ref) in repeated else tx for tx in st.transactions))
        for st in statements]


OFX = OfxParser()
