"""Parse memory: the peak resident memory of reading a hostile statement file, one field of
which is huge (a 200 MB ``:86:``, a CAMT ``Ustrd``, a CSV cell...), against a reference
measured in the same run.

For every format (MT940, CAMT.053, OFX SGML and XML, BAI2 with a long text and with a run of
``88`` continuation records, each bundled CSV profile, the Stripe, PayPal and Adyen reports,
and a zip archive holding a hostile member) a golden sample of ``tests/data`` is written with
one of its fields inflated to ``--field-mb`` megabytes, in the middle of the file; then, in a
fresh process each, ``syncd.reading.read_file`` reads it (format detection included) and must
refuse it with an ``InputError``. The reference is the same kind of process reading a normal
CAMT.053 file of about 4 MB (5,000 entries). Printed: the peak memory (ru_maxrss) of each, the
ratio hostile / reference, and the refusal. Goal for the streaming formats (CAMT, MT940): at
most 1.5 whatever the field's size, as they hold one record at a time and stop at the caps.

The other formats are read whole and refuse a file over 50 MB before reading it, so a 200 MB
field tests only that cap for them; ``--field-mb 200,45`` measures a field just under it too,
where what the file costs whole (its bytes, and for OFX its text) shows: bounded by the file
cap, not by the field (the text formats refuse a long line before decoding).

    python -m bench.parse_memory [--field-mb 200,45] [--only mt940,camt]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).parent.parent
DATA = ROOT / "tests" / "data"
_PIECE = 1 << 20  # written a megabyte at a time: the parent never holds the field either

#: case -> (sample, the text in it after which the field grows, what it grows by, the line of
#: the text in the sample: the line the refusal names, or None for an XML element)
CASES = {
    "mt940": ("mt940/german_envelope_crlf.sta", "Ruecklastschrift Gebuehr", "X", 13),
    "mt940-continuations": ("mt940/german_envelope_crlf.sta", "Ruecklastschrift Gebuehr", "\r\n?2" + "X" * 60, 13),
    "camt": ("camt/simple.xml", "Order 7781, thank", "X", None),
    "ofx-sgml": ("ofx/ofx1_checking_cp1252.ofx", "Office Rent", "X", 42),
    "ofx-xml": ("ofx/qfx2_credit_card.qfx", "HOTEL LUTETIA PARIS", "X", 27),
    "bai2": ("bai2/two_groups.bai", "WIRE IN", "X", 7),
    "bai2-continuations": ("bai2/two_groups.bai", "THANK YOU", "\n88," + "X" * 70, 4),
    "csv:cn-alipay": ("csv/cn-alipay.csv", "INV/2026/00031", "X", 17),
    "csv:cn-wechat": ("csv/cn-wechat.csv", "INV/2026/00044", "X", 18),
    "csv:de-sparkasse": ("csv/de-sparkasse.csv", "Strom Januar", "X", 3),
    "csv:nl-ing": ("csv/nl-ing.csv", "Factuur INV/2026/00031", "X", 2),
    "csv:uk-barclays": ("csv/uk-barclays.csv", "OAK PRIME MEDIA LTD", "X", 2),
    "stripe": ("providers/stripe.csv", "Subscription January", "X", 5),
    "paypal": ("providers/paypal.csv", "Alpine Amber Foods AG", "X", 3),
    "adyen": ("providers/adyen.csv", "INV/2026/00062", "X", 3),
}
ZIP_CASE = "zip"  # a zip of a good MT940 file and the hostile CSV one


def write_hostile(path: Path, case: str, field_chars: int) -> str:
    """Write ``case``'s sample to ``path`` with its field grown by about ``field_chars``
    characters; the name the refusal must carry (the member's label for the zip)."""
    if case == ZIP_CASE:
        member = path.with_name(path.name + ".member.csv")
        write_hostile(member, "csv:nl-ing", field_chars)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:  # not a zip bomb: the member itself
            archive.write(DATA / "mt940/german_envelope_crlf.sta", "good.sta")
            archive.write(member, "statements/hostile.csv")
        member.unlink()
        return f"{path}!statements/hostile.csv"
    sample, marker, unit, _line = CASES[case]
    data = (DATA / sample).read_bytes()
    at = data.index(marker.encode("ascii")) + len(marker)
    units, per_write = max(1, field_chars // len(unit)), max(1, _PIECE // len(unit))
    with open(path, "wb") as out:
        out.write(data[:at])
        while units > 0:
            out.write((unit * min(units, per_write)).encode("ascii"))
            units -= per_write
        out.write(data[at:])
    return str(path)


def write_reference(path: Path, entries: int = 5000):
    from bench.parse_throughput import write_camt

    write_camt(path, entries)


def child(path: str):
    from syncd.errors import InputError
    from syncd.reading import read_file

    try:
        parsed = read_file(path)
        outcome = f"read {len(parsed.transactions)} transactions"
    except InputError as exc:
        outcome = f"refused: {exc}"
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"peak_mib": peak_kib / 1024, "outcome": outcome}))


def measure(path: Path) -> dict:
    output = subprocess.run([sys.executable, "-m", "bench.parse_memory", "--child", str(path)],
                            check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(output.stdout)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--field-mb", default="200,45", help="comma-separated sizes of the hostile field, in MB")
    parser.add_argument("--only", default="", help="comma-separated cases (default: all)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child)
        return 0
    cases = args.only.split(",") if args.only else [*CASES, ZIP_CASE]
    failed = False
    with tempfile.TemporaryDirectory(prefix="parse-memory-") as tmp:
        reference_path = Path(tmp) / "reference.xml"
        write_reference(reference_path)
        reference = measure(reference_path)
        print(f"reference: a normal CAMT.053 file of {reference_path.stat().st_size / 1e6:.1f} MB, "
              f"peak {reference['peak_mib']:.0f} MiB ({reference['outcome']})")
        reference_path.unlink()
        for size in (float(mb) for mb in args.field_mb.split(",")):
            for case in cases:
                path = Path(tmp) / f"hostile-{case.replace(':', '-')}"
                write_hostile(path, case, int(size * 1e6))
                result = measure(path)
                ratio = result["peak_mib"] / reference["peak_mib"]
                streaming = case.startswith(("mt940", "camt"))
                failed |= not result["outcome"].startswith("refused") or (streaming and ratio > 1.5)
                outcome = result["outcome"].replace(str(path), path.name)
                print(f"{case:20} {size:5.0f} MB field ({path.stat().st_size / 1e6:6.1f} MB file): "
                      f"peak {result['peak_mib']:5.0f} MiB, {ratio:4.2f}x the reference "
                      f"({'goal <= 1.5' if streaming else 'read whole'}); "
                      f"{outcome[:150]}")
                path.unlink()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
