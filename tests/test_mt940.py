"""SWIFT MT940/MT942 parsing: bank dialects, balances, encodings, bad and hostile input.

The samples in tests/data/mt940 are compared field by field with their golden .jsonl
files; regenerate those with ``python -m syncd.parsers.golden tests/data/mt940`` after an
intended change.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncd.errors import InputError
from syncd.parsers import PARSERS, parse_file
from syncd.parsers.golden import samples
from syncd.parsers.mt940 import MT940
from syncd.records import balance_gap, join_pages
from tests.goldens import mutate

DATA = Path(__file__).parent / "data" / "mt940"
CAMT = Path(__file__).parent / "data" / "camt"
REGENERATE = "python -m syncd.parsers.golden tests/data/mt940"

MINIMAL = """:20:T1
:25:DE89370400440532013000
:28C:1/1
:60F:C261231EUR100,00
{entries}:62F:C{closing_date}EUR{closing}
-
"""


def message(entries="", closing="100,00", closing_date="261231"):
    return MINIMAL.format(entries=entries, closing=closing, closing_date=closing_date).encode()


def parse(data: bytes, **kwargs):
    return MT940.parse(data, "test.sta", **kwargs)


def error(data: bytes, **kwargs) -> InputError:
    with pytest.raises(InputError) as info:
        parse(data, **kwargs)
    assert "test.sta" in str(info.value)
    return info.value


# --- golden files ---------------------------------------------------------------------------


def test_camt_is_not_mt940_and_mt940_is_not_camt():
    for sample in samples(CAMT):
        assert not MT940.detect(sample.read_bytes())
    for sample in samples(DATA):
        assert not PARSERS["camt053"].detect(sample.read_bytes())


# --- dialects -------------------------------------------------------------------------------


def test_german_structured_information_and_sepa_keywords():
    (statement,) = parse_file(DATA / "german_envelope_crlf.sta")
    credit, debit, returned, fee = statement.transactions
    assert (credit.counterparty_name, credit.counterparty_account, credit.counterparty_bic) == (
        "ACME HANDEL GMBH", "DE89370400440532013000", "COBADEFFXXX")
    assert (credit.end_to_end_id, credit.remittance) == ("E2E-2026-0001", "INV/2026/00012 Danke fuer die Lieferung")
    assert debit.end_to_end_id == ""  # EREF+NOTPROVIDED
    assert (returned.amount, fee.amount) == (Decimal("20.00"), Decimal("-2.50"))
    assert (statement.opening_balance, statement.closing_balance) == (Decimal("1000.00"), Decimal("1442.00"))
    assert fee.bank_ref == ""  # no //bank reference: the key is a fingerprint
    assert fee.booking_date == date(2026, 1, 4)


def test_dutch_slash_fields_page_split_and_original_amount():
    first, second = parse_file(DATA / "dutch_page_split.sta")
    assert (first.closing_balance, second.opening_balance) == (Decimal("3750.00"), Decimal("3750.00"))
    (lotus,) = first.transactions
    assert lotus.remittance == "INV/2026/00031 and INV/2026/00032"  # wrapped line joined
    assert lotus.end_to_end_id == "LT-2026-0031"
    refund, usd = second.transactions
    assert (refund.counterparty_name, refund.counterparty_account) == ("Pieter de Vries", "NL20INGB0001234567")
    assert (usd.original_currency, usd.original_amount, usd.fees) == ("USD", Decimal("107.50"), Decimal("0.50"))
    assert usd.structured_ref == "RF18539007547034"


def test_reversals_and_dates_across_the_new_year():
    entries = (":61:2612310102RC30,00NTRFNONREF//R1\n:86:reversed credit\n"
               ":61:2612311231RD50,00NTRFNONREF//R2\n:86:reversed debit\n")
    (statement,) = parse(message(entries, closing="120,00"))
    reversed_credit, reversed_debit = statement.transactions
    assert reversed_credit.amount == Decimal("-30.00")  # money taken back out
    assert reversed_debit.amount == Decimal("50.00")
    assert reversed_credit.booking_date == date(2027, 1, 2)  # booked after the value date's year end
    assert reversed_debit.booking_date == date(2026, 12, 31)


def test_polish_code_page_is_read_when_configured_and_detected_without():
    text = (":20:PL1\n:25:PL61109010140000071219812874\n:28C:1\n:60F:C260112PLN0,00\n"
            ":61:2601120112C123,45NTRFNONREF//PL-1\n"
            ":86:020~00PRZELEW~20Faktura FV/2026/001~21płatność~32Spółka Łódź~33Sp. z o.o.\n"
            ":62F:C260112PLN123,45\n-\n")
    data = text.encode("cp852")
    for kwargs in ({"encoding": "cp852"}, {}):
        (statement,) = parse(data, **kwargs)
        (payment,) = statement.transactions
        assert payment.counterparty_name == "Spółka Łódź Sp. z o.o."
        assert payment.remittance == "Faktura FV/2026/001płatność"
    assert "not valid utf-8" in str(error(data, encoding="utf-8")).lower()


@pytest.mark.parametrize("codec, words", [
    ("cp852", "Zażółć gęślą jaźń, Łódź, Kraków"),
    ("cp1250", "Zażółć gęślą jaźń, Łódź, Kraków"),
    ("iso-8859-2", "Zażółć gęślą jaźń, Łódź, Kraków"),
    ("cp1250", "Příliš žluťoučký kůň úpěl ďábelské ódy"),
    ("cp852", "Příliš žluťoučký kůň úpěl ďábelské ódy"),
    ("cp1252", "Größe, Müller, Bäckerei Schäfer, Straße"),
    ("cp850", "Größe, Müller, Bäckerei Schäfer, Straße"),
    ("cp1252", "Crédit Agricole, créée à Paris, façade, été"),
    ("cp1252", "Överföring från Åsa Sjöström"),
    ("cp1252", "Müller & Söhne — Zahlung 100 €"),
    ("cp1250", "Átutalás: Kovács Ödön, Győr, ügyfélszám"),
    ("cp1251", "Перевод средств по договору"),
    ("cp866", "Перевод средств по договору"),
])
def test_legacy_code_pages_are_detected_from_the_letters_they_read(codec, words):
    entries = f":61:2612311231C5,00NTRFNONREF\n:86:{words}\n"
    (statement,) = parse(message(entries, closing="105,00").decode().encode(codec))
    assert statement.transactions[0].remittance == words


def test_utf8_with_bom_and_cp1252_fallback():
    entries = ":61:2612311231C5,00NTRFNONREF\n:86:Müller & Söhne — Zahlung €\n"
    utf8 = b"\xef\xbb\xbf" + message(entries, closing="105,00").decode().encode("utf-8")
    assert parse(utf8)[0].transactions[0].remittance == "Müller & Söhne — Zahlung €"
    cp1252 = message(entries, closing="105,00").decode().encode("cp1252")
    assert parse(cp1252)[0].transactions[0].remittance == "Müller & Söhne — Zahlung €"


# --- bad input ------------------------------------------------------------------------------


def test_balances_that_do_not_add_up_are_flagged_not_refused():
    (statement,) = parse(message(":61:2612311231C5,00NTRFNONREF\n", closing="100,00"))
    assert (statement.opening_balance, statement.closing_balance) == (Decimal("100.00"), Decimal("100.00"))
    assert balance_gap(statement) == Decimal("-5.00")


@pytest.mark.parametrize("entry, reason", [
    (":61:26123C5,00NTRF\n", "not a statement line"),
    (":61:2613311231C5,00NTRFNONREF\n", "not a valid date"),
    (":61:2612001231C5,00NTRFNONREF\n", "not a valid date"),
    (":61:2612311231C5,0,0NTRFNONREF\n", "not a valid amount"),
])
def test_bad_statement_lines_name_line_and_tag(entry, reason):
    problem = error(message(entry))
    assert "line 5 :61:" in str(problem) and reason in str(problem)


def test_missing_tags_and_truncation():
    assert "missing :25:" in str(error(b":20:X\n:60F:C260101EUR1,00\n:62F:C260101EUR1,00\n"))
    truncated = message(":61:2612311231C5,00NTRFNONREF\n", closing="105,00").split(b":62F:")[0]
    assert "line 5 :61:" in str(error(truncated)) and "is the file truncated" in str(error(truncated))
    (ended,) = parse(truncated + b"-\n")  # ended by "-": complete, only without a closing balance
    assert (ended.closing_balance, ended.statement_date) == (None, date(2026, 12, 31))
    interim = (DATA / "mt942_interim.sta").read_bytes()
    assert "is the file truncated" in str(error(interim[: interim.index(b":61:2601060106D40")]))
    assert "no MT940 message" in str(error(b"\n\n"))
    assert "a message starts with :20:" in str(error(b":25:X\n:20:X\n"))
    envelope = b"{1:F01BANKDEFFXXXX0000000000}{2:I940BANKDEFFXXXXN}{4:\n" + message()
    assert "never closed" in str(error(envelope.replace(b"-\n", b"")))
    assert "not closed (-}) before the next one" in str(error(envelope.replace(b"-\n", b"") + envelope))
    assert len(parse(envelope.replace(b"-\n", b"-}\n"))) == 1


@pytest.mark.parametrize("ending", [b":62F:C261231EUR100,00", b":62F:C261231EUR100,00\n:64:C261231EUR100,00\n",
                                    b":62M:C261231EUR100,00\n:86:statement information\n"])
def test_a_last_message_without_its_dash_is_complete_when_it_ends_as_a_statement_ends(ending):
    data = message().split(b":62F:")[0] + ending
    (statement,) = parse(data)
    assert statement.closing_balance == Decimal("100.00")


def test_header_lines_envelope_blocks_and_framing_characters_are_skipped():
    body = message(":61:2612311231D5,00NTRFNONREF//R1\n:86:x\n", closing="95,00")
    for head in (b"ABNANL2A/940\r\n\r\n", b":940:\n", b"0000 01INGBNL2AXXXX00001\n0000 01INGBNL2AXXXX00001\n940 00\n",
                 b"ABNANL2A\n", b"This is an example file\n- - - - -\n\n"):
        (statement,) = parse(head + body)
        assert statement.transactions[0].amount == Decimal("-5.00")
        assert MT940.detect(head + body)
    two = body + b":940:\n" + body.replace(b"-\n", b"")  # a header line between messages, no dash
    assert [len(s.transactions) for s in parse(two)] == [1, 1] and parse(two)[0].transactions[0].remittance == "x"
    enveloped = (b"\x01{1:F01BANKDEFFXXXX0000000000}\r\n{2:I940BANKDEFFXXXXN}\r\n{3:{108:X}}\r\n{4:\r\n"
                 + body.replace(b"\n", b"\r\n").replace(b"-\r\n", b"-}\r\n{5:{CHK:123}}\x03\r\n"))
    assert MT940.detect(enveloped * 2)
    assert [s.closing_balance for s in parse(enveloped * 2)] == [Decimal("95.00")] * 2


def test_a_dash_line_followed_by_another_tag_than_20_is_text():
    data = message(":61:2612311231C5,00NTRFNONREF\n:86:first line\n-\n", closing="105,00")
    (statement,) = parse(data)
    assert statement.closing_balance == Decimal("105.00") and statement.transactions[0].remittance == "first line -"


@pytest.mark.parametrize("line, amount, bank_ref", [
    (":61:2612311231D10,00 NTRF//B1", "-10.00", "B1"),
    (":61:2612311231CR50,00//B2", "50.00", "B2"),
    (":61:2612311231D10,00NMSCNONREF//B3", "-10.00", "B3"),
    (":61:2612311231D5,00FCHK123456//B4", "-5.00", "B4"),
    (":61:2612311231C25,00N123REF//B5", "25.00", "B5"),
    (":61:2612311231C40,00ntrfnonref//b6", "40.00", "b6"),
    (":61:2612311231D1,50NCHGBANK CHARGES", "-1.50", ""),
    (":61:2612311231C3,00NET NONREF", "3.00", ""),
    (":61:261231d3,00NTRFNONREF", "-3.00", ""),
    (":61:2612311231DF24,02S   X", "-24.02", ""),
    (":61:2612311231C7,00", "7.00", ""),
    (":61:261231    C7,00NTRFNONREF//B7", "7.00", "B7"),
    (":61:2612311231D 1.000,00NTRF//B8", "-1000.00", "B8"),
    (":61:2612311231C1,000.50NTRF//B9", "1000.50", "B9"),
])
def test_type_codes_banks_use(line, amount, bank_ref):
    opening = b":60F:C261231EUR1000,00"
    closing = str(Decimal("1000.00") + Decimal(amount)).replace(".", ",")
    (statement,) = parse(message(line + "\n", closing=closing).replace(b":60F:C261231EUR100,00", opening))
    (entry,) = statement.transactions
    assert (entry.amount, entry.bank_ref) == (Decimal(amount), bank_ref)
    assert balance_gap(statement) == 0


def test_impossible_dates_fall_back_to_the_last_day_of_their_month():
    entries = ":61:2602300231C5,00NTRFNONREF\n:61:2402300000C5,00NTRFNONREF\n"
    (statement,) = parse(message(entries, closing="110,00", closing_date="260231"))
    first, second = statement.transactions
    assert (first.value_date, first.booking_date) == (date(2026, 2, 28), date(2026, 2, 28))
    assert (second.value_date, second.booking_date) == (date(2024, 2, 29), date(2024, 2, 29))  # a leap year
    assert statement.statement_date == date(2026, 2, 28)


def test_balances_without_currency_take_the_statements():
    data = (b":20:A\n:25:10020030/1234567\n:28C:8/1\n:60F:C260501200,00\n:61:2605010501C50,00NTRF\n"
            b":62F:C260501EUR250,00\n-\n")
    (statement,) = parse(data)
    assert (statement.currency, statement.opening_balance, statement.transactions[0].currency) == (
        "EUR", Decimal("200.00"), "EUR")
    mixed = data.replace(b":60F:C260501", b":60F:C260501USD")
    assert "differs" in str(error(mixed))
    account = data.replace(b"10020030/1234567", b"12345ABC").replace(b":60F:C260501", b":60F:C260501EUR")
    assert parse(account)[0].account == "12345ABC"  # letters that were not its currency


def test_pages_of_one_statement_share_its_number_and_are_joined():
    pages = MT940.parse((DATA / "quirk_page_split_statement.sta").read_bytes(), "pages.sta")
    assert [page.statement_id for page in pages] == ["5", "5", "5"]
    (joined,) = join_pages(pages)
    assert (joined.opening_balance, joined.closing_balance, len(joined.transactions)) == (
        Decimal("1000.00"), Decimal("1075.00"), 3)
    assert balance_gap(joined) == 0
    numbered_zero = message().replace(b":28C:1/1", b":28C:00000")
    assert parse(numbered_zero)[0].statement_id == "T1/2026-12-31"


def test_mt942_totals_that_disagree_are_flagged_not_refused():
    data = (DATA / "mt942_interim.sta").read_bytes().replace(b":90C:1EUR150,00", b":90C:1EUR151,00")
    (report,) = parse(data)
    assert report.statement_date == date(2026, 1, 6) and len(report.transactions) == 2
    (note,) = report.notes
    assert ":90C:" in note and "lists 1 for 150.00" in note


def test_oversize_rejected_before_reading_further():
    assert "limit" in str(error(message() * 10, max_bytes=100))


# --- properties -----------------------------------------------------------------------------

VALID = [p.read_bytes() for p in samples(DATA)]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_raise_only_input_error(data):
    try:
        parse(data)
    except InputError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(VALID), st.data())
def test_mutated_samples_raise_only_input_error(sample, data):
    mutated = mutate(sample, data)
    try:
        statements = parse(mutated)
    except InputError:
        return
    for statement in statements:  # what parses is consistent
        assert statement.total == sum((tx.amount for tx in statement.transactions), Decimal(0))


def test_hostile_long_tag_and_long_line_are_refused_at_the_field_cap():
    # a field of many short lines, and one endless line: each refused once it passes the cap,
    # naming where it starts, without the rest being read into memory
    many_lines = message(":61:2612311231C5,00NTRFNONREF\n:86:" + "x\n" * 500_000, closing="105,00")
    with pytest.raises(InputError, match=r"line 6 :86:: the field :86: \(to line \d+\) is longer than the limit"):
        parse(many_lines)
    one_line = message(":61:2612311231C5,00NTRF" + "/" * 2_000_000 + "\n", closing="105,00")
    with pytest.raises(InputError, match="line 5: the line is longer than the limit of 32,768 characters"):
        parse(one_line)


# --- dialects of other banks (each rule for the class, not the bank) -------------------------


def test_ns_fields_anywhere_do_not_part_an_entry_from_its_86():
    entries = ":61:2612311231C10,00NTRFNONREF\n:NS:21KARTA 1234\n:86:~00X~20Zwrot~32Jan Kowalski\n"
    (statement,) = parse(message(entries, closing="110,00"))
    (entry,) = statement.transactions
    assert (entry.remittance, entry.counterparty_name) == ("Zwrot", "Jan Kowalski")


@pytest.mark.parametrize("info", ["^00PRZELEW^20Czynsz^32Wspolnota^38PL55116022020000000987654321",
                                  "020<00PRZELEW<20Czynsz<31123<32Wspolnota<38PL55116022020000000987654321",
                                  "073\n~00PRZELEW\n~20Czynsz\n~32Wspolnota\n~38PL55116022020000000987654321"])
def test_polish_subfields_with_any_separator_with_or_without_code(info):
    (statement,) = parse(message(f":61:261231D1,00NTRFNONREF\n:86:{info}\n", closing="99,00"))
    (entry,) = statement.transactions
    assert (entry.remittance, entry.counterparty_name, entry.counterparty_account) == (
        "Czynsz", "Wspolnota", "PL55116022020000000987654321")
    assert parse(message(":61:261231D1,00NTRF\n:86:#12 paid ^20\n", closing="99,00"))[0].transactions[
        0].remittance == "#12 paid ^20"  # free text that merely holds a separator


def test_leading_slash_of_the_account_and_zero_balances_without_date():
    data = message().replace(b":25:DE89", b":25:/DE89").replace(b":60F:C261231EUR100,00", b":60F:C000000EUR0,")
    (statement,) = parse(data.replace(b"EUR100,00", b"EUR0,"))
    assert statement.account == "DE89370400440532013000" and statement.opening_balance == 0
    assert "not a valid date" in str(error(data.replace(b"C000000", b"C001300")))


def test_text_block_on_the_envelope_line_and_amount_without_integer_digit():
    data = b"{1:F01BANKBEBBAXXX0000000000}{2:O940BANKBEBB}{4:" + message(
        ":61:261231D,50NCHGNONREF\n", closing="99,50").replace(b"\n-\n", b"\n-}\n")
    assert MT940.detect(data)
    (statement,) = parse(data)
    assert statement.transactions[0].amount == Decimal("-0.50") and balance_gap(statement) == 0


def test_slashes_without_known_codes_are_kept_as_text():
    (statement,) = parse(message(":61:261231D1,00NTRF\n:86:/BNF/ACME CO/ORG/US INC\n", closing="99,00"))
    assert statement.transactions[0].remittance == "/BNF/ACME CO/ORG/US INC"


@pytest.mark.parametrize("codec", ["cp1250", "iso-8859-2", "cp852"])
def test_filler_bytes_of_empty_subfields_neither_sway_the_code_page_nor_show(codec):
    info = ":86:020~00152\n~20Przelew środków~21\x00~22\x00~23\x00~24\x00~25\x00\n~32Łódź Spółka~33\x00~60\x00~63\x00\n"
    data = message(f":61:261231D1,00NTRFNONREF\n{info}", closing="99,00").decode().encode(codec)
    (statement,) = parse(data.replace(b"\x00", b"\xff"))
    (entry,) = statement.transactions
    assert (entry.remittance, entry.counterparty_name) == ("Przelew środków", "Łódź Spółka")


def test_at_at_line_breaks_of_fints():
    data = b":20:TEST@@:25:12345678/0001234567@@:60F:C240102EUR1,00@@:61:2401020102CR1,00NTRFNONREF@@"
    data += b":86:166?00GUTSCHRIFT?20SVWZ+Miete Ja@@nuar?32Mieter@@:62F:C240102EUR2,00@@-@@"
    assert MT940.detect(data)
    (statement,) = parse(data)
    (entry,) = statement.transactions
    assert (entry.amount, entry.remittance, balance_gap(statement)) == (Decimal("1.00"), "Miete Januar", 0)
    assert "truncated" in str(error(data.split(b":62F:")[0]))


def test_thousands_grouped_by_spaces_are_one_amount():
    data = message(":61:2612311231D1 000,50NTRFNONREF\n:86:x\n", closing="1 099 000,00").replace(
        b"EUR100,00", b"EUR1 100 000,50")
    (statement,) = parse(data)
    assert statement.transactions[0].amount == Decimal("-1000.50") and balance_gap(statement) == 0
