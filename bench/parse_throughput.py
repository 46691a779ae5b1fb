"""Parse throughput: syncd's streaming CAMT.053 and MT940 parsers against a bare pass.

Generates a CAMT.053 statement and an MT940 file (German ``:86:`` subfields, a message per
1,000 entries, as a bank's daily download) of ``--entries`` entries each, then times in a
fresh process each:

- the floor measured in the same run: a bare lxml ``iterparse`` pass over the XML (every
  element, default events, nothing done with them), and a bare line split of the MT940 text
  (the file decoded and split into lines, each line looked at once);
- syncd's parser: the file streamed into normalized transactions (amounts as ``Decimal``,
  dates, counterparties, references), statements' balances checked, nothing kept.

Prints entries/s, the ratio syncd / floor (CAMT's goal: at least 0.5; no Python parser comes
near half a bare line split, so MT940's goal is the mt-940 library's, below) and the peak memory (resident
set) of each process, for every size: it should stay flat as the file grows. For context it
also prints a stricter reference for each format: for CAMT the cheapest streaming pass lxml
allows (only the entries reported, each cleared), and for MT940 the cost of merely creating
the transaction records from fields already split, which bounds any parser written in Python.
Where the mt-940 library is installed (``pip install mt-940``; benchmarking only) it also times
that library on the same MT940 file, in the same run (goal: syncd at least twice as fast).

    python -m bench.parse_throughput [--entries 10000,100000] [--repeat 3] [--formats mt940]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"
IBAN = "DE89370400440532013000"


def _amounts(n: int) -> list[Decimal]:
    rng = random.Random(7)
    return [Decimal(rng.randint(-50000, 500000)) / 100 or Decimal("0.01") for _ in range(n)]


def write_camt(path: Path, n: int):
    """A CAMT.053.001.02 statement of ``n`` entries, each with its transaction details."""
    amounts = _amounts(n)
    opening = Decimal("1000.00")
    closing = opening + sum(amounts)

    def balance(code, amount):
        side = "CRDT" if amount >= 0 else "DBIT"
        return (f'<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{abs(amount):.2f}</Amt>'
                f"<CdtDbtInd>{side}</CdtDbtInd><Dt><Dt>2026-11-20</Dt></Dt></Bal>\n")

    with open(path, "w", encoding="utf-8") as out:
        out.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{NS}"><BkToCstmrStmt>\n'
                  "<GrpHdr><MsgId>BENCH-1</MsgId><CreDtTm>2026-11-20T18:00:00</CreDtTm></GrpHdr>\n"
                  "<Stmt><Id>BENCH-STMT-1</Id><CreDtTm>2026-11-20T18:00:00</CreDtTm>\n"
                  f"<Acct><Id><IBAN>{IBAN}</IBAN></Id><Ccy>EUR</Ccy></Acct>\n"
                  + balance("OPBD", opening) + balance("CLBD", closing))
        for i, amount in enumerate(amounts):
            side, party = ("CRDT", "Dbtr") if amount >= 0 else ("DBIT", "Cdtr")
            out.write(
                f'<Ntry>\n  <Amt Ccy="EUR">{abs(amount):.2f}</Amt>\n  <CdtDbtInd>{side}</CdtDbtInd>\n'
                "  <Sts>BOOK</Sts>\n  <BookgDt><Dt>2026-11-20</Dt></BookgDt>\n  <ValDt><Dt>2026-11-20</Dt></ValDt>\n"
                f"  <AcctSvcrRef>BANKREF{i:08d}</AcctSvcrRef>\n"
                "  <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>\n"
                f"  <NtryDtls><TxDtls>\n    <Refs><EndToEndId>E2E-{i:08d}</EndToEndId></Refs>\n"
                f"    <RltdPties><{party}><Nm>Customer {i % 997} GmbH</Nm></{party}>"
                f"<{party}Acct><Id><IBAN>DE021203000000{i % 99999999:08d}</IBAN></Id></{party}Acct></RltdPties>\n"
                f"    <RltdAgts><{party}Agt><FinInstnId><BIC>BYLADEM1001</BIC></FinInstnId></{party}Agt></RltdAgts>\n"
                f"    <RmtInf><Ustrd>Invoice INV/2026/{i:05d} customer {i % 997}</Ustrd></RmtInf>\n"
                "  </TxDtls></NtryDtls>\n</Ntry>\n")
        out.write("</Stmt></BkToCstmrStmt></Document>\n")


def _mt940_amount(value: Decimal) -> str:
    return f"{abs(value):.2f}".replace(".", ",")


def write_mt940(path: Path, n: int, per_message: int = 1000):
    """MT940 messages of ``per_message`` entries, German structured ``:86:`` on several lines."""
    amounts = _amounts(n)
    balance = Decimal("1000.00")
    with open(path, "w", encoding="utf-8", newline="\r\n") as out:
        for page, start in enumerate(range(0, n, per_message), 1):
            chunk = amounts[start:start + per_message]
            mark = "C" if balance >= 0 else "D"
            out.write(f":20:STARTUMS\n:25:{IBAN}\n:28C:{page}/1\n:60F:{mark}261120EUR{_mt940_amount(balance)}\n")
            for i, amount in enumerate(chunk, start):
                side = "C" if amount >= 0 else "D"
                out.write(
                    f":61:2611201120{side}{_mt940_amount(amount)}NTRFNONREF//B{i:010d}\n"
                    f":86:166?00GUTSCHRIFT?10931?20EREF+E2E-{i:08d}?21SVWZ+Invoice INV/2026/{i:05d}\n"
                    f"?22customer {i % 997}?30BYLADEM1001?31DE021203000000{i % 99999999:08d}\n"
                    f"?32Customer {i % 997} GmbH?34000\n")
                balance += amount
            mark = "C" if balance >= 0 else "D"
            out.write(f":62F:{mark}261120EUR{_mt940_amount(balance)}\n-\n")


# -- what each child process runs ---------------------------------------------------------


def _floor_camt(path: str) -> int:
    from lxml import etree

    from syncd.safexml import SAFE_OPTIONS

    count = 0
    for _event, _element in etree.iterparse(path, **SAFE_OPTIONS):
        count += 1
    return count


def _strict_camt(path: str) -> int:
    from lxml import etree

    from syncd.safexml import SAFE_OPTIONS

    count = 0
    for _event, element in etree.iterparse(path, tag="{*}Ntry", **SAFE_OPTIONS):
        count += 1
        element.clear()
        previous = element.getprevious()
        if previous is not None:
            element.getparent().remove(previous)
    return count


def _floor_mt940(path: str) -> int:
    count = 0
    with open(path, encoding="utf-8", newline=None) as handle:
        for line in handle:
            if line.startswith(":61:"):
                count += 1
    return count


def _records_mt940(path: str) -> int:
    """Only the records: a transaction per ``:61:`` line from fields already known."""
    from datetime import date

    from syncd.records import SourceRef, Transaction

    count = 0
    day = date(2026, 11, 20)
    with open(path, encoding="utf-8", newline=None) as handle:
        for number, line in enumerate(handle, 1):
            if line.startswith(":61:"):
                count += 1
                Transaction(account=IBAN, currency="EUR", booking_date=day, value_date=day, amount=Decimal(count),
                            source=SourceRef(path, f"line {number} :61:"), bank_ref=line[-12:])
    return count


def _anchor_mt940(path: str) -> int:
    """The mt-940 library (``pip install mt-940``), the anchor syncd's MT940 parser is held to:
    every transaction of the file, with its details."""
    import mt940

    count = 0
    for _transaction in mt940.parse(path):
        count += 1
    return count


def _syncd(path: str, format_name: str) -> int:
    from syncd.parsers import get_parser
    from syncd.records import Transaction

    parser = get_parser(format_name)
    count = 0
    with open(path, "rb") as handle:
        for item in parser.stream(handle, path, max_bytes=1 << 31):
            count += isinstance(item, Transaction)
    return count


CHILDREN = {
    "floor-camt": _floor_camt,
    "strict-camt": _strict_camt,
    "syncd-camt": lambda path: _syncd(path, "camt053"),
    "floor-mt940": _floor_mt940,
    "records-mt940": _records_mt940,
    "syncd-mt940": lambda path: _syncd(path, "mt940"),
    "anchor-mt940": _anchor_mt940,
}


def child(kind: str, path: str):
    start = time.perf_counter()
    count = CHILDREN[kind](path)
    elapsed = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"count": count, "seconds": elapsed, "peak_mib": peak_kib / 1024}))


def measure(kind: str, path: Path, repeat: int) -> dict:
    """The best of ``repeat`` fresh processes (time), with the peak memory of that one."""
    runs = []
    for _ in range(repeat):
        output = subprocess.run([sys.executable, "-m", "bench.parse_throughput", "--child", kind, str(path)],
                                check=True, capture_output=True, text=True, cwd=Path(__file__).parent.parent)
        runs.append(json.loads(output.stdout))
    return min(runs, key=lambda run: run["seconds"])


def _has_anchor() -> bool:
    import importlib.util

    return importlib.util.find_spec("mt940") is not None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", default="10000,100000", help="comma-separated file sizes, in entries")
    parser.add_argument("--repeat", type=int, default=3, help="processes per measurement; the fastest counts")
    parser.add_argument("--formats", default="camt,mt940", help="comma-separated families to time (camt, mt940)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    sizes = [int(size) for size in args.entries.split(",")]
    failed = False
    with tempfile.TemporaryDirectory(prefix="parse-bench-") as tmp:
        for family, writer, floor, stricter, stricter_label in (
            ("camt", write_camt, "floor-camt", "strict-camt", "streaming iterparse of the entries only"),
            ("mt940", write_mt940, "floor-mt940", "records-mt940", "creating the records alone"),
        ):
            if family not in args.formats.split(","):
                continue
            peaks = {}
            for n in sizes:
                path = Path(tmp) / f"bench-{n}.{'xml' if family == 'camt' else 'sta'}"
                writer(path, n)
                base, ours, other = (measure(kind, path, args.repeat) for kind in (floor, f"syncd-{family}", stricter))
                if ours["count"] != n:
                    print(f"{family} {n}: syncd read {ours['count']} transactions, expected {n}")
                    failed = True
                ratio = base["seconds"] / ours["seconds"]
                peaks[n] = ours["peak_mib"]
                print(f"{family.upper():5} {n:>7} entries, {path.stat().st_size / 1e6:6.1f} MB: "
                      f"floor {n / base['seconds']:>9,.0f} entries/s ({base['peak_mib']:.0f} MiB), "
                      f"syncd {n / ours['seconds']:>9,.0f} entries/s ({ours['peak_mib']:.0f} MiB): "
                      f"ratio {ratio:.2f}{' (goal >= 0.5)' if family == 'camt' else ''}; "
                      f"against {stricter_label}: {other['seconds'] / ours['seconds']:.2f}")
                if family == "mt940" and _has_anchor():
                    anchor = measure("anchor-mt940", path, args.repeat)
                    print(f"MT940 {n:>7} entries: the mt-940 library {n / anchor['seconds']:>9,.0f} entries/s: "
                          f"syncd is {anchor['seconds'] / ours['seconds']:.2f}x as fast (goal >= 2)")
                os.unlink(path)
            if len(peaks) > 1:
                small, large = min(peaks), max(peaks)
                print(f"{family.upper():5} peak memory of syncd's parser: {peaks[small]:.0f} MiB at {small} entries, "
                      f"{peaks[large]:.0f} MiB at {large} ({peaks[large] / peaks[small]:.2f}x for "
                      f"{large / small:.0f}x the entries)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
