"""Every parser against its golden files, and detection from content, across all formats.

Each folder of tests/data holds sample files and, for each, the ``.jsonl`` golden file of the
normalized transactions it must give (keys included), compared exactly. After an intended
change of a parser's output, regenerate a folder with ``python -m syncd.parsers.golden
tests/data/FOLDER`` and review the diff before committing it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from syncd.parsers import PARSERS, detect_format
from syncd.parsers.csvprofile import bundled_profiles
from syncd.parsers.golden import samples
from tests.goldens import assert_matches_golden

DATA = Path(__file__).parent / "data"
# the samples each folder must have at least: every dialect and quirk has one
REQUIRED = {
    "camt": {"simple", "batch", "pending_and_reversal", "v08", "duplicates", "notification_054", "report_052",
             "balance_other_currency", "details_other_currency", "batch_details_mismatch", "no_booking_date",
             "balance_mismatch", "balance_types", "report_052_interim", "status_v13", "notification_054_v13",
             "prefixed_namespace", "no_namespace", "zero_and_accounts", "latin1_declared", "bom_utf8",
             "austrian_flavour", "czech_flavour", "prowide_053_v07_envelope", "lt_053_v08_no_status",
             "hbci4java_052_v08", "hbci4java_052_none", "postfinance_053", "dvbern_postfinance_053_v04",
             "abn_amro_053", "ing_053", "nordea_053", "goldman_sachs_053_us"},
    "mt940": {"german_envelope_crlf", "dutch_page_split", "mt942_interim", "two_accounts_dot_decimals",
              "quirk_header_bic_940", "quirk_soh_etx_envelopes", "quirk_envelope_blocks_on_own_lines",
              "quirk_odd_type_codes", "quirk_february_30", "quirk_balance_without_currency",
              "quirk_last_message_without_dash", "quirk_no_closing_balance", "quirk_truncated_after_entry",
              "quirk_truncated_envelope", "quirk_cp852_polish", "quirk_iso8859_2_polish", "quirk_cp1250_czech",
              "quirk_cp1252_german", "quirk_cp437_german", "quirk_page_split_statement",
              "quirk_balances_do_not_add_up", "quirk_mt942_totals_and_floor", "quirk_spacing_and_grouped_amounts",
              "quirk_several_86_and_ns",
              "zilverline_rabobank", "zilverline_ing", "zilverline_abnamro", "zilverline_knab_invalid",
              "dovadi_mt940_voorbeeldbestanden_abnamro", "webschik_ing_2", "mt940rs_mt940_dk_example",
              "ksdev_mt940_iph", "sharpmt940_standardbank_transactions", "myflow_missing_closing_record_62f",
              "dialect_pl_pkobp_tilde_cp1250", "dialect_pl_ing_ns_between", "dialect_pl_caret_no_code_cp852",
              "dialect_pl_angle_separator", "dialect_de_sparkasse_gvc", "dialect_de_mt942_volksbank",
              "dialect_de_deutsche_bank_envelope", "dialect_nl_rabobank_sepa", "dialect_nl_asn_leading_zeros",
              "dialect_ch_postfinance", "dialect_structural_zero_cr", "dialect_structural_envelope_same_line",
              "dialect_ru_sberbank_cp1251", "dialect_hu_otp_cp1250", "dialect_us_jpmorgan",
              "dialect_structural_25p_1990s", "dialect_structural_bom_spaced_balances", "dialect_ro_bcr_multiline",
              "dialect_uk_hsbc_sortcode", "dialect_pl_pkobp_filler_ff", "dialect_de_fints_at_at",
              "dialect_cz_multicash_header", "dialect_pl_biznesplanet"},
    "ofx": {"ofx1_checking_cp1252", "ofx1_header_lies_utf8", "qfx2_credit_card", "sgml_several_statements",
            "sgml_unbalanced_lowercase", "sgml_empty_leaves", "xml_cdata_empty_tags", "xml_fitids_payee_currency",
            "sgml_investment_cash", "sgml_error_response", "sgml_signon_only", "sgml_truncated",
            "libofx_spec211_16_5_3_2", "ofxtools_br_nubank_cc", "bimp_amex", "asgrim_ofxdata_selfclose",
            "ofxgo_inv_v202", "ofxtools_profrs", "actual_html_vals", "actual_utf_8"},
    "bai2": {"two_groups", "svb_daily", "svb_daily_with_summary", "svb_eod", "svb_eod_with_slash_in_text",
             "svb_eod_without_as_of_time", "svb_invalid_checksum_eod", "spec_sample_kenwilcox", "td_canada_nexial",
             "td_canada_with_summary", "hengpor_sample", "gs_sample_1", "gs_sample_2", "gs_sample_3", "continued_03",
             "shared_lines", "fixed_width_crlf", "typos_lowercase", "blank_totals", "totals_without_summary",
             "header_times", "funds_types", "balance_mismatch", "info_and_bank_codes", "two_files",
             "truncated_no_99", "truncated_no_98", "truncated_no_49"},
    "csv": {profile.name for profile in bundled_profiles()},  # one per bundled profile, named after it
    "providers": {"stripe", "paypal", "adyen", "hledger_paypal_custom", "hledger_stripe", "kontor_paypal_de",
                  "paypal_statement_multicurrency", "paypal_statuses", "stripe_balance_history_dashboard",
                  "adyen_payment_accounting", "broken_paypal_net"},
    "qif": {"gnucash_abc", "gnucash_canada", "gnucash_web", "actual_qif_account", "apostrophe_dates_splits",
            "dmy_dots_decimal_comma_crlf", "iso_dates_cash", "two_accounts_and_investments", "broken_cut_short",
            "broken_mixed_date_order"},
    "exports": {"tinysnow-jd", "tinysnow-meituan", "dhr-alipay-full", "dhr-wechat-full", "dhr-alipay-single-gbk",
                "de-umsatzanzeige-soll-haben", "nl-af-bij", "us-debit-credit-preamble", "en-ambiguous-dates",
                "en-no-currency", "cn-bank-debit-credit-gbk", "cn-signs-parentheses", "fr-tab-delimited",
                "icbc-footer-tabs", "boc-utf16-tabs", "jd-refunds-annotated", "alipay-web-tabs",
                "cn-citic-debit", "cn-spdb", "cn-cib", "cn-cmbc", "cn-pab", "cn-psbc", "cn-ceb", "cn-huaxia",
                "cn-yunshanfu", "cn-douyin", "hk-hsbc-savings", "hk-hsbc-card", "uk-starling", "hledger-wellsfargo",
                "hledger-monzo", "hledger-bankofireland", "fi-nordea", "uk-nationwide", "de-dkb", "de-comdirect",
                "de-ing", "nl-rabobank", "be-kbc", "fr-labanquepostale", "fr-creditagricole", "fr-societegenerale",
                "se-nordea", "ofxstatement-de-ing-with_saldo_1", "ofxstatement-de-ing-without_saldo_2",
                "ofxstatement-lloyds-sample", "ofxstatement-austrian-easybank-creditcard",
                "ofxstatement-austrian-ing-diba", "ofxstatement-austrian-livebank", "ofxstatement-austrian-oberbank",
                "ofxstatement-sparkasse-freiburg-simple1", "ofxstatement-sparkasse-freiburg-simple2",
                "ofxstatement-spardabank-umsaetze", "ofxstatement-revolut-2021-october",
                "ofxstatement-revolut-2022-january", "ofxstatement-dab", "ofxstatement-dkbcc",
                "ofxstatement-dutch-Knab_transactieoverzicht_ok",
                "ofxstatement-dutch-ing_ok_Mutatiesoort_Extra_Unquoted", "beancount-dkb-ec-non-empty",
                "kmymoney-sample-bank-account", "beangulp-csvbank-statement", "trim21-wechat-20200830",
                "cvigo-N26_Sample", "cvigo-Revolut_CHF_Sample", "cvigo-ZKB_Sample"},
    "sheets": {"wechat-bill", "ccb-statement", "recognised-bank", "zip-bomb", "truncated", "html-table",
               "cn-two-row-header-1904", "cn-serial-dates", "en-dates-1904", "ofxstatement-fineco-movements",
               "ofxstatement-fineco-my-cards"},
}
ALL_SAMPLES = [sample for folder in REQUIRED for sample in samples(DATA / folder)]


def test_the_folders_are_all_here():
    assert {path.name for path in DATA.iterdir() if path.is_dir()} == set(REQUIRED)


@pytest.mark.parametrize("folder", sorted(REQUIRED))
def test_every_sample_has_a_golden_file(folder):
    names = {path.stem for path in samples(DATA / folder)}
    assert REQUIRED[folder] <= names
    goldens = [path.stem for pattern in ("*.jsonl", "*.error") for path in (DATA / folder).glob(pattern)]
    assert sorted(goldens) == sorted(names), f"run: python -m syncd.parsers.golden tests/data/{folder}"


@pytest.mark.parametrize("folder", sorted(REQUIRED))
def test_every_sample_says_where_it_comes_from(folder):
    """Each folder's SOURCES.md has a row per sample: its origin and licence, or that it was
    written here (and from what)."""
    sources = (DATA / folder / "SOURCES.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([^`]+)` \|", sources, re.MULTILINE))
    assert listed == {path.name for path in samples(DATA / folder)}


@pytest.mark.parametrize("sample", ALL_SAMPLES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_sample_matches_golden_file(sample):
    assert_matches_golden(sample, f"python -m syncd.parsers.golden tests/data/{sample.parent.name}")


@pytest.mark.parametrize("sample", ALL_SAMPLES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_detected_from_content_by_exactly_one_parser(sample):
    data = sample.read_bytes()
    detected = [name for name, parser in PARSERS.items() if parser.detect(data)]
    assert len(detected) == 1, detected
    assert detect_format(data, "statement.dat").name == detected[0]  # whatever the file is called
    if sample.parent.name == "csv":
        assert detected == [f"csv:{sample.stem}"]
    elif sample.parent.name in ("mt940", "ofx", "bai2"):
        assert detected == [sample.parent.name]
