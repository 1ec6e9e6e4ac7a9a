"""Amount and currency in one cell (mapping/money.py and the profile option ``money``)."""

from __future__ import annotations

import pandas as pd
import pytest

from booking_desktop.errors import ProfileError
from booking_desktop.mapping import apply_mapping
from booking_desktop.mapping.money import parse_money
from booking_desktop.schema import load_schema

from ._helpers import profile, raw_table, triples

CODES = load_schema().currencies


def read(values, **kw):
    m = parse_money(pd.Series(values, dtype="str"), CODES, **kw)
    na = lambda s: [None if pd.isna(v) else v for v in s.tolist()]  # noqa: E731
    return m, na(m.amount), na(m.currency)


@pytest.mark.parametrize(
    ("cell", "amount", "currency"),
    [
        ("Rp1,445,000.00", "1445000.00", "IDR"),
        ("€1.234,56", "1234.56", "EUR"),
        ("US$ 120", "120", "USD"),
        ("126.6314 EUR", "126.6314", "EUR"),
        ("eur 12,50", "12.50", "EUR"),
        ("RM1,000.00", "1000.00", "MYR"),
        ("1 234,56 zł", "1234.56", "PLN"),
        ("1\u00a0234,56 €", "1234.56", "EUR"),  # no-break space groups digits
        ("CHF 1'234.50", "1234.50", "CHF"),
        ("₹1,00,000.00", "100000.00", "INR"),  # Indian grouping
        ("£0.99", "0.99", "GBP"),
        ("12.50", "12.50", None),
    ],
)
def test_amount_and_currency_from_one_cell(cell, amount, currency):
    m, amounts, currencies = read([cell])
    assert (amounts[0], currencies[0]) == (amount, currency)
    assert not (m.ambiguous_number.any() or m.unknown_mark.any() or m.ambiguous_mark.any())


@pytest.mark.parametrize("cell", ["-12.50", "(12.50)", "12.50-", "\u221212.50", "-$12.50", "$-12.50", "($12.50)",
                                  "-€ 12,50", "€ (12,50)"])  # fmt: skip
def test_negative_forms(cell):
    _, amounts, _ = read([cell], symbols={"$": "USD"})
    assert amounts == ["-12.50"]


def test_a_value_that_is_no_number_is_left_as_sent():
    m, amounts, _ = read(["12O.00", "--5", "5 - 3", "EUR 5 USD"])
    assert amounts == ["12O.00", "--5", "5 - 3", "EUR 5 USD"]
    assert not m.is_number.any()


def test_separators_that_read_two_ways_are_never_guessed():
    m, amounts, _ = read(["1.234", "1,234", "1234", "1 234"])
    assert amounts == ["1.234", "1,234", "1234", "1234"]  # the same either way: read
    assert m.ambiguous_number.tolist() == [True, True, False, False]
    assert m.decimal is None


def test_the_column_proves_the_decimal_separator():
    _, amounts, _ = read(["1.234", "12,50", "1.445.000"])  # 12,50 and 1.445.000 only read with "," decimals
    assert amounts == ["1234", "12.50", "1445000"]
    _, amounts, _ = read(["1,234", "1,445,000.00"])
    assert amounts == ["1234", "1445000.00"]


def test_a_column_with_both_forms_decides_nothing():
    m, amounts, _ = read(["1.234,56", "1,234.56", "1.234"])
    assert amounts[:2] == ["1234.56", "1234.56"]
    assert m.decimal_conflict and m.ambiguous_number.tolist() == [False, False, True]


def test_the_profiles_decimal_wins_and_a_contradicting_value_is_reported():
    m, amounts, _ = read(["1.234", "1,234.50"], decimal=",")
    assert amounts == ["1234", "1,234.50"]
    assert m.ambiguous_number.tolist() == [False, True]


def test_shared_symbols_name_their_candidates_unless_the_profile_says():
    m, _, currencies = read(["$5", "kr 100", "¥500", "A$5", "CA$5", "R$ 5"])
    assert currencies == [None, None, None, "AUD", "CAD", "BRL"]
    assert m.ambiguous_mark.tolist() == [True, True, True, False, False, False]
    assert m.candidates[1] == "SEK, NOK, DKK, ISK"
    _, _, currencies = read(["$5", "kr 100"], symbols={"$": "USD", "kr": "NOK"})
    assert currencies == ["USD", "NOK"]


def test_unknown_marks_are_reported():
    m, amounts, currencies = read(["5 doubloons", "approx. 120", "12O"])
    assert amounts == ["5 doubloons", "approx. 120", "12O"] and currencies == [None, None, None]
    assert m.unknown_mark.tolist() == [True, True, True]


# -- through the mapping -------------------------------------------------------------------


def test_a_shared_symbol_is_settled_by_the_currency_column_or_reported():
    raw = raw_table({"Total": ["$100.00", "$100.00", "US$5", "kr 10", "€5"], "Cur": ["CAD", "EUR", "IDR", "", "EUR"]})
    p = profile({"amount": {"column": "Total", "money": True}, "currency": {"column": "Cur"}})
    m = apply_mapping(raw, p)
    assert m.text["amount"].tolist() == ["100.00", "100.00", "5", "10", "5"]
    assert triples(m.problems) == [
        (1, "amount", "currency_mismatch"),  # $ is no euro
        (2, "amount", "currency_mismatch"),  # USD is not IDR
        (3, "amount", "currency_symbol"),  # kr and no currency to settle it
    ]
    assert "USD" in m.problems.frame["message"][1] and "IDR" in m.problems.frame["message"][1]


def test_currency_read_from_the_amount_cell():
    raw = raw_table({"Price": ["126.63 EUR", "$5", "5 doubloons", "7"]})
    p = profile({"amount": {"column": "Price", "money": {}}, "currency": {"column": "Price", "money": {}}})
    m = apply_mapping(raw, p)
    assert m.text["currency"].tolist()[:3] == ["EUR", "$", "doubloons"]  # as sent where it names no one currency
    assert pd.isna(m.text["currency"][3])
    assert triples(m.problems) == [(1, "currency", "currency_symbol"), (2, "currency", "currency_symbol")]
    assert "money: {symbols:" in m.problems.frame["message"][0]
    assert "money" in m.mapping["amount"] and "currency named" in m.mapping["currency"]


def test_ambiguous_separators_are_a_problem_naming_the_fix():
    raw = raw_table({"Total": ["1.234", "2.500"], "Cur": ["EUR", "EUR"]})
    m = apply_mapping(raw, profile({"amount": {"column": "Total", "money": {}}, "currency": {"column": "Cur"}}))
    assert triples(m.problems) == [(0, "amount", "ambiguous_number"), (1, "amount", "ambiguous_number")]
    assert 'decimal: ","' in m.problems.frame["message"][0]
    m = apply_mapping(
        raw, profile({"amount": {"column": "Total", "money": {"decimal": ","}}, "currency": {"column": "Cur"}})
    )
    assert m.text["amount"].tolist() == ["1234", "2500"] and len(m.problems) == 0


def test_money_options_are_checked():
    with pytest.raises(ProfileError) as err:
        profile(
            {
                "amount": {"column": "T", "money": {"decimal": ";", "symbols": {"$": "DOLLAR"}, "round": 2},
                           "number_locale": {"decimal": ","}},
                "currency": {"constant": "EUR", "money": True},
                "customer_name": {"column": "N", "country_names": True},
            }
        )  # fmt: skip
    text = str(err.value)
    for part in ("fields.amount.money.decimal", "fields.amount.money.symbols.$", "fields.amount.money.round",
                 "give only one of money, number_locale", "fields.currency.money: cannot be used with constant",
                 "fields.customer_name.country_names: only for the country field"):  # fmt: skip
        assert part in text, part


def test_money_profiles_round_trip(tmp_path):
    p = profile(
        {
            "amount": {"column": "T", "money": {"decimal": ",", "symbols": {"$": "usd"}}},
            "currency": {"column": "T", "money": True},
            "country": {"column": "C", "country_names": True},
        }
    )
    again = type(p).load(p.save(tmp_path / "p.yaml"))
    assert again.to_dict() == p.to_dict()
    assert again.fields["amount"]["money"] == {"decimal": ",", "symbols": {"$": "USD"}}


def test_country_names_become_codes_and_unknown_names_stay():
    raw = raw_table({"Nat": ["Indonesia", "South Korea", "united kingdom", "DE", "Narnia", None]})
    m = apply_mapping(raw, profile({"country": {"column": "Nat", "country_names": True}}))
    assert [None if pd.isna(v) else v for v in m.text["country"]] == ["ID", "KR", "GB", "DE", "Narnia", None]


def test_repeated_prices_are_read_once_and_give_the_same_answer():
    """A price column repeats its values; each distinct text is read once and spread back."""
    values = ["€1.234,56", None, "$5", "1.234", "€1.234,56", None, "$5", "12O", "1.234", "€1.234,56"] * 3
    m = parse_money(pd.Series(values, dtype="str"), CODES)
    na = [None if pd.isna(v) else v for v in m.amount.tolist()]
    assert na[:10] == ["1234.56", None, "5", "1234", "1234.56", None, "5", "12O", "1234", "1234.56"]
    assert m.currency.tolist()[0] == "EUR" and pd.isna(m.currency[2]) and m.candidates[2].startswith("USD")
    assert m.ambiguous_mark.sum() == 6 and not m.ambiguous_number.any() and m.decimal == ","
    assert m.unknown_mark.tolist()[:8] == [False] * 7 + [True]


def test_round_takes_an_amount_to_its_currencys_minor_unit_and_reports_each_cell():
    raw = raw_table({"Price": ["126.6314 EUR", "0.125 EUR", "0.135 EUR", "1500.5 JPY", "12.3 EUR", "9.999 XXQ"]})
    spec = {"column": "Price", "money": {"decimal": ".", "round": True}}
    mapped = apply_mapping(raw, profile({"amount": spec, "currency": {"column": "Price", "money": {"decimal": "."}}}))
    # half-even, to each row's own currency (JPY has no minor unit); an unknown currency is left as sent
    assert mapped.text["amount"].tolist() == ["126.63", "0.12", "0.14", "1500", "12.3", "9.999 XXQ"]
    got = mapped.problems.frame
    rounded = got[got["code"] == "rounded"]
    assert rounded["row"].tolist() == [0, 1, 2, 3] and set(rounded["severity"]) == {"warning"}
    assert rounded["value"].tolist() == ["126.6314 EUR", "0.125 EUR", "0.135 EUR", "1500.5 JPY"]


def test_without_round_an_excess_decimal_is_left_as_sent_for_the_precision_check():
    raw = raw_table({"Price": ["126.6314 EUR"]})
    spec = {"column": "Price", "money": {"decimal": "."}}
    mapped = apply_mapping(raw, profile({"amount": spec, "currency": spec}))
    assert mapped.text["amount"].tolist() == ["126.6314"] and "rounded" not in set(mapped.problems.frame["code"])


def test_round_must_be_true_or_false():
    with pytest.raises(ProfileError, match=r"fields\.amount\.money\.round: must be true or false"):
        profile({"amount": {"column": "Price", "money": {"round": "yes"}}})
