"""Builds CAMT.053.001.02 statements for tests and benchmarks (balances always consistent)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"


@dataclass(frozen=True)
class Entry:
    amount: Decimal  # signed: positive is money in
    remittance: str = ""
    counterparty: str = ""
    iban: str = ""
    bank_ref: str = ""
    date: str = "2026-11-20"


def build_camt053(account: str, entries, opening=Decimal("1000.00"), statement_id="TEST-1",
                  currency="USD") -> bytes:
    closing = opening + sum((e.amount for e in entries), Decimal(0))
    parts = [
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{NS}"><BkToCstmrStmt>',
        "<GrpHdr><MsgId>MSG-1</MsgId><CreDtTm>2026-11-20T18:00:00</CreDtTm></GrpHdr>",
        f"<Stmt><Id>{escape(statement_id)}</Id><CreDtTm>2026-11-20T18:00:00</CreDtTm>",
        f"<Acct><Id><IBAN>{account}</IBAN></Id><Ccy>{currency}</Ccy></Acct>",
        _balance("OPBD", opening, currency),
        _balance("CLBD", closing, currency),
    ]
    for entry in entries:
        side = "CRDT" if entry.amount >= 0 else "DBIT"
        party = "Dbtr" if entry.amount >= 0 else "Cdtr"
        ref = f"<AcctSvcrRef>{escape(entry.bank_ref)}</AcctSvcrRef>" if entry.bank_ref else ""
        parties = ""
        if entry.counterparty or entry.iban:
            name = f"<{party}><Nm>{escape(entry.counterparty)}</Nm></{party}>" if entry.counterparty else ""
            account = f"<{party}Acct><Id><IBAN>{entry.iban}</IBAN></Id></{party}Acct>" if entry.iban else ""
            parties = f"<RltdPties>{name}{account}</RltdPties>"
        parts.append(
            f'<Ntry><Amt Ccy="{currency}">{abs(entry.amount):.2f}</Amt><CdtDbtInd>{side}</CdtDbtInd>'
            f"<Sts>BOOK</Sts><BookgDt><Dt>{entry.date}</Dt></BookgDt><ValDt><Dt>{entry.date}</Dt></ValDt>{ref}"
            f"<NtryDtls><TxDtls>{parties}<RmtInf><Ustrd>{escape(entry.remittance)}</Ustrd></RmtInf>"
            "</TxDtls></NtryDtls></Ntry>"
        )
    parts.append("</Stmt></BkToCstmrStmt></Document>\n")
    return "".join(parts).encode()


def _balance(code, amount, currency):
    side = "CRDT" if amount >= 0 else "DBIT"
    return (f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy=\"{currency}\">{abs(amount):.2f}</Amt>"
            f"<CdtDbtInd>{side}</CdtDbtInd><Dt><Dt>2026-11-20</Dt></Dt></Bal>")
