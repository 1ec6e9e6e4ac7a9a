"""Files that are not UTF-8: the code page is guessed from how each reading looks, and a guess
that is not certain says so, with the values under each reading (issue 9: a Latin-1 file was
read as cp1250 -- ``Agliè`` became ``Aglič`` -- and a Greek ISO-8859-7 file as cp1252, silently)."""

from __future__ import annotations

import pytest

from booking_desktop.errors import Severity
from booking_desktop.readers import read_file

from ._helpers import cells, codes

ITALIAN = "city,n\nAgliè,1\nCittà di Castello,2\nPerù,3\n"
GREEK = "name,city\nΓιώργος Παπαδόπουλος,Αθήνα\nΆννα Ιωάννου,Θεσσαλονίκη\n"
CZECH = "jmeno,mesto\nJiří Novák,Plzeň\nŽofie Dvořáková,České Budějovice\n"
POLISH = "imie,miasto\nŁukasz Wójcik,Łódź\nZofia Gęś,Kraków\n"
RUSSIAN = "name,city\nИван Петров,Москва\nОльга Смирнова,Санкт-Петербург\n"
TURKISH = "ad,sehir\nAyşe Yılmaz,İstanbul\nÇağrı Öztürk,Muğla\n"
GERMAN = "name,ort\nJürgen Müller,München\nGroß,Köln\n"
SPANISH = "nombre,ciudad\nJosé Muñoz,Málaga\nInés,Córdoba\n"


@pytest.mark.parametrize(
    ("text", "codec", "read_as"),
    [
        (ITALIAN, "latin_1", "cp1252"),  # Latin-1 files read the same as Windows-1252
        (GERMAN, "cp1252", "cp1252"),
        (GREEK, "iso8859_7", "iso8859-7"),
        (CZECH, "cp1250", "cp1250"),
        (POLISH, "cp1250", "cp1250"),
        (POLISH, "iso8859_2", "iso8859-2"),
        (RUSSIAN, "cp1251", "cp1251"),
        (RUSSIAN, "koi8_r", "koi8-r"),
        (TURKISH, "cp1254", "cp1254"),
        (SPANISH, "cp850", "cp850"),  # a DOS export
    ],
)
def test_the_code_page_that_reads_like_text_is_chosen(write, text, codec, read_as):
    raw = read_file(write("b.csv", text.encode(codec)))
    expected = [line.split(",") for line in text.splitlines()[1:]]
    assert cells(raw.frame) == expected
    assert raw.source.encoding == read_as


def test_an_uncertain_guess_names_the_choice_and_shows_the_alternatives(write):
    raw = read_file(write("b.csv", ITALIAN.encode("latin_1")))
    assert raw.frame["city"].tolist() == ["Agliè", "Città di Castello", "Perù"]  # not 'Aglič'
    (notice,) = [p for p in raw.problems if p.code == "encoding-uncertain"]
    assert notice.severity == Severity.WARNING
    assert "read as cp1252" in notice.message and "'Agliè'" in notice.message
    assert "cp1250" in notice.message and "'Aglič'" in notice.message
    assert "--encoding" in notice.message
    assert notice.location == "b.csv line 2"


def test_a_greek_file_is_never_read_as_accented_latin(write):
    raw = read_file(write("b.csv", GREEK.encode("iso8859_7")))
    assert raw.frame["city"].tolist() == ["Αθήνα", "Θεσσαλονίκη"]
    assert "Άννα Ιωάννου" in raw.frame["name"].tolist()  # 0xB6 is Ά in ISO-8859-7, ¶ in Windows-1253


def test_a_sure_guess_adds_no_notice(write):
    raw = read_file(write("b.csv", CZECH.encode("cp1250")))
    assert codes(raw) == []


def test_the_euro_sign_of_iso8859_15_is_shown_as_an_alternative(write):
    raw = read_file(write("b.csv", "ref,amount\nB1,12 €\n".encode("iso8859_15")))
    (notice,) = [p for p in raw.problems if p.code == "encoding-uncertain"]
    assert "'€'" in notice.message and "iso8859-15" in notice.message


def test_the_encoding_option_pins_the_reading_and_silences_the_guess(write):
    path = write("b.csv", ITALIAN.encode("latin_1"))
    raw = read_file(path, {"encoding": "cp1250"})
    assert raw.frame["city"].tolist()[0] == "Aglič"  # what the operator asked for
    assert raw.source.encoding == "cp1250" and codes(raw) == []
