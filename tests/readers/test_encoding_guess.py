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


_HOTELS = {"cp932": "東京ホテル 新宿", "gb18030": "上海酒店 外滩", "big5": "臺北酒店 信義", "cp949": "서울 호텔 강남"}


@pytest.mark.parametrize(("encoding", "read_as"), [("shift_jis", "cp932"), ("gb18030", "gb18030"),
                                                   ("big5", "big5"), ("euc_kr", "cp949")])  # fmt: skip
def test_east_asian_multi_byte_files_are_read_in_their_code_page_and_said(write, encoding, read_as):
    """Regression: scored as single-byte pages, a Shift_JIS export came out as cp850 mojibake without
    a word, GB18030/Big5/EUC-KR as 'mixed UTF-8 + cp1252'.  charset-normalizer tells them apart."""
    hotel = _HOTELS[read_as]
    guests = ["山田 太郎", "王 小明", "陳 大文", "김 민준"]
    text = "ref,guest,hotel\n" + "".join(f"R{i},{guests[i % 4]},{hotel}\n" for i in range(12))
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:  # a name the code page cannot write: leave it out
        text = "ref,guest,hotel\n" + "".join(f"R{i},{hotel[:2]} {i},{hotel}\n" for i in range(12))
        data = text.encode(encoding)
    raw = read_file(write("jp.csv", data))
    assert raw.source.encoding == read_as
    assert raw.frame["hotel"].tolist() == [hotel] * 12
    (notice,) = [p for p in raw.problems if p.code == "encoding-uncertain"]
    assert f"read as {read_as}" in notice.message and "give the encoding" in notice.message


def test_a_western_file_with_a_few_accents_is_not_taken_for_east_asian(write):
    text = "ref,guest,city\n" + "".join(f"R{i},Zoë Müller-Ñúñez,São Paulo €\n" for i in range(30))
    raw = read_file(write("w.csv", text.encode("iso8859_15")))
    assert raw.frame["guest"].iloc[0] == "Zoë Müller-Ñúñez" and raw.source.encoding != "cp932"
