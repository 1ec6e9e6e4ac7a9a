"""Whole-column date parsing for the mapping step.

Vendor files write dates every way imaginable.  Everything here works on a
whole ``Series`` at once (pandas/numpy/pyarrow), and every function keeps the
source text of a value it cannot read, so that validation can report that
value exactly as the operator sees it in the file.

Day-first versus month-first is decided for a *column*, never per cell:
``03/04/2024`` alone means nothing, but a column that also holds ``25/04/2024``
is day-first.  :func:`detect_date_order` counts that evidence; when a column
has evidence both ways, or none, it says so instead of guessing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from booking_desktop.civil import days_from_civil, real_date

DATE_ORDERS = ("dmy", "mdy", "ymd")

MONTHS: dict[str, int] = {}
for _i, (_full, _abbr) in enumerate(
    [
        ("january", "jan"),
        ("february", "feb"),
        ("march", "mar"),
        ("april", "apr"),
        ("may", "may"),
        ("june", "jun"),
        ("july", "jul"),
        ("august", "aug"),
        ("september", "sep"),
        ("october", "oct"),
        ("november", "nov"),
        ("december", "dec"),
    ],
    start=1,
):
    MONTHS[_full] = _i
    MONTHS[_abbr] = _i
MONTHS["sept"] = 9

ISO_DATE = r"\d{4}-\d{2}-\d{2}"
# an ISO date, optionally followed by a time (``2024-03-01 00:00:00``, ``...T14:05``)
_ISO_DATE_OR_DATETIME = (
    rf"^(?P<date>{ISO_DATE})(?:[T ]\d{{2}}:\d{{2}}(?::\d{{2}}(?:\.\d+)?)?(?:Z|[+-]\d{{2}}:?\d{{2}})?)?$"
)
_ISO_DATETIME = (
    r"^(?P<date>\d{4}-\d{2}-\d{2})[T ](?P<hm>\d{2}:\d{2})(?P<s>:\d{2})?(?P<frac>\.\d+)?(?P<tz>Z|[+-]\d{2}:?\d{2})?$"
)
# three numbers separated by - / . (optionally followed by a time, which is ignored)
_NUMERIC_DATE = r"^(?P<p0>\d{1,4})\s*[-/.]\s*(?P<p1>\d{1,2})\s*[-/.]\s*(?P<p2>\d{1,4})(?:[T ,].*)?$"


@dataclass(frozen=True)
class DateParse:
    """Result of normalizing a column of dates.

    ``text``: ``YYYY-MM-DD`` (or ISO date-time) where the value could be read,
    the source text where it could not, NA where the source was missing.
    ``failed``: True where a value was present but could not be read.
    """

    text: pd.Series
    failed: np.ndarray

    @property
    def n_failed(self) -> int:
        return int(self.failed.sum())


@dataclass(frozen=True)
class DateOrderDecision:
    """What a whole column says about its day/month order.

    A value whose first part is > 12 proves day-first (``dmy_evidence``), a
    value whose second part is > 12 proves month-first (``mdy_evidence``).
    ``order`` is None and ``ambiguous`` True when the column proves both or
    neither.  ``ymd`` is chosen when every numeric date starts with a
    4-digit year.
    """

    order: str | None
    dmy_evidence: int
    mdy_evidence: int
    ambiguous: bool
    ymd_evidence: int = 0
    checked: int = 0  # values that looked like numeric dates

    def explain(self) -> str:
        if self.order:
            return (
                f"{self.order} (of {self.checked} numeric dates, {self.dmy_evidence} can only be day-first, "
                f"{self.mdy_evidence} only month-first, {self.ymd_evidence} start with the year)"
            )
        if self.dmy_evidence and self.mdy_evidence:
            return (
                f"{self.dmy_evidence} values can only be day-first and {self.mdy_evidence} only month-first; "
                "the column mixes both orders"
            )
        if self.checked == 0:
            return "no value looks like a numeric date"
        return f"none of the {self.checked} numeric dates has a day above 12, so day-first and month-first both fit"


def _text(series: pd.Series) -> pd.Series:
    """The series as trimmed pandas ``str`` (NA stays NA)."""
    s = series if series.dtype == "str" else series.astype("str")
    return s.str.strip()


def _present(s: pd.Series) -> np.ndarray:
    return s.notna().to_numpy() & (s.fillna("") != "").to_numpy()


def iso_from_days(days: np.ndarray, ok: np.ndarray, index: pd.Index | None = None) -> pd.Series:
    """Days since 1970-01-01 -> ``YYYY-MM-DD`` text (NA where not ``ok``), through pyarrow's
    date32 -> string cast (no Python object per value)."""
    arr = pa.array(np.where(ok, days, 0).astype("int32"), pa.int32(), mask=~ok).cast(pa.date32()).cast(pa.string())
    return pd.Series(pd.array(arr, dtype="str"), index=index, dtype="str")


def _iso_from_datetimes(dt: pd.Series, unit: Literal["D", "s"] = "D") -> pd.Series:
    """``datetime64`` series -> ISO text (vectorized via numpy's own formatting)."""
    if unit == "D":
        ok = dt.notna().to_numpy()
        days = dt.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype("int64")
        return iso_from_days(days, ok, dt.index)
    values = dt.to_numpy(dtype="datetime64[ns]")
    text = np.datetime_as_string(values.astype(f"datetime64[{unit}]"), unit=unit)
    out = pd.Series(text, index=dt.index, dtype="str")
    return out.where(dt.notna().to_numpy())


def valid_strptime_format(fmt: str, with_time: bool = False) -> str | None:
    """None when ``fmt`` is a usable strptime date format, else why not."""
    if not isinstance(fmt, str) or not fmt.strip():
        return "must be a non-empty strptime format such as %d/%m/%Y"
    if "%" not in fmt:
        return f"{fmt!r} has no % directives (example: %d/%m/%Y)"
    # aware, so that %z / %Z formats (vendor time stamps with offsets) are accepted too
    sample = datetime(2001, 2, 23, 14, 5, 6, tzinfo=UTC)
    try:
        text = sample.strftime(fmt)
        back = datetime.strptime(text, fmt)
    except ValueError as exc:
        return f"{fmt!r} is not a valid strptime format ({exc})"
    missing = [
        name
        for name, ok in (("year", back.year == 2001), ("month", back.month == 2), ("day", back.day == 23))
        if not ok
    ]
    if missing:
        return f"{fmt!r} does not contain the {', '.join(missing)}"
    if with_time and back.hour != 14:
        return f"{fmt!r} has no hour (use date_format for dates without a time)"
    return None


def parse_dates(series: pd.Series, fmt: str) -> DateParse:
    """Parse with a strptime ``fmt``; result ``YYYY-MM-DD``; unreadable values keep their text."""
    s = _text(series)
    present = _present(s)
    dt = pd.to_datetime(s.where(present), format=fmt, errors="coerce")
    ok = dt.notna().to_numpy().copy()
    iso = _iso_from_datetimes(dt, "D")
    text = iso.where(ok, s)
    text = text.where(present)
    return DateParse(text.astype("str"), present & ~ok)


def parse_datetimes(series: pd.Series, fmt: str) -> DateParse:
    """Parse date-times with a strptime ``fmt``; result ``YYYY-MM-DDTHH:MM:SS`` (``Z`` when the
    format carries an offset, converted to UTC)."""
    s = _text(series)
    present = _present(s)
    has_tz = "%z" in fmt or "%Z" in fmt
    dt = pd.to_datetime(s.where(present), format=fmt, errors="coerce", utc=has_tz)
    if has_tz:
        dt = dt.dt.tz_convert("UTC").dt.tz_localize(None)
    ok = dt.notna().to_numpy()
    iso = _iso_from_datetimes(dt, "s")
    if has_tz:
        iso = iso + "Z"
    text = iso.where(ok, s).where(present)
    return DateParse(text.astype("str"), present & ~ok)


def extract(s: pd.Series, pattern: str) -> pd.DataFrame:
    """``Series.str.extract`` through pyarrow (5x faster on ``str`` columns); ``pattern``
    uses RE2 syntax with named groups, one output column per group; NA where no match."""
    arr = arrow_text(s)
    matched = pc.extract_regex(arr, pattern)
    names = [matched.type.field(i).name for i in range(matched.type.num_fields)]
    out = {}
    for name in names:
        col = pc.struct_field(matched, name)
        out[name] = pd.Series(pd.array(col, dtype="str"), index=s.index, dtype="str")
    return pd.DataFrame(out, index=s.index)


@dataclass(frozen=True)
class _NumericDates:
    """The three numbers of ``31/12/2024``-like values, extracted once per column."""

    text: pa.Array  # trimmed source text
    matched: np.ndarray  # bool: three numbers separated by - / .
    values: tuple[np.ndarray, np.ndarray, np.ndarray]  # int64
    lengths: tuple[np.ndarray, np.ndarray, np.ndarray]  # digits of each part


def _numeric_dates(series: pd.Series) -> _NumericDates:
    arr = pc.utf8_trim_whitespace(arrow_text(series))
    found = pc.extract_regex(arr, _NUMERIC_DATE)
    matched = np.asarray(pc.is_valid(found).to_numpy(zero_copy_only=False), dtype=bool)
    parts = [pc.struct_field(found, f"p{i}") for i in range(3)]
    v = [_arrow_ints(pc.fill_null(p, "0"), matched, 0)[0] for p in parts]
    n = [np.asarray(pc.fill_null(pc.utf8_length(p), 0).to_numpy(zero_copy_only=False), dtype="int64") for p in parts]
    return _NumericDates(arr, matched, (v[0], v[1], v[2]), (n[0], n[1], n[2]))


def _decide(nd: _NumericDates, among: np.ndarray | None = None) -> DateOrderDecision:
    sel = nd.matched if among is None else nd.matched & among
    a, b, _ = nd.values
    first_len = nd.lengths[0]
    ymd = sel & (first_len == 4)
    short = sel & (first_len <= 2)
    dmy = int((short & (a > 12) & (b <= 12)).sum())
    mdy = int((short & (b > 12) & (a <= 12)).sum())
    n_ymd, n_short = int(ymd.sum()), int(short.sum())
    checked = n_ymd + n_short
    if checked == 0:
        return DateOrderDecision(None, 0, 0, True, 0, 0)
    if n_ymd and not n_short:
        return DateOrderDecision("ymd", 0, 0, False, n_ymd, checked)
    if n_short and not n_ymd:
        if dmy and not mdy:
            return DateOrderDecision("dmy", dmy, mdy, False, 0, checked)
        if mdy and not dmy:
            return DateOrderDecision("mdy", dmy, mdy, False, 0, checked)
    return DateOrderDecision(None, dmy, mdy, True, n_ymd, checked)


def detect_date_order(series: pd.Series) -> DateOrderDecision:
    """Decide the day/month order of a column from all its values (see :class:`DateOrderDecision`)."""
    return _decide(_numeric_dates(series))


def _read_in_order(nd: _NumericDates, order: str) -> tuple[np.ndarray, np.ndarray]:
    """(days since 1970, ok) of the numeric dates read in ``order``; two-digit years follow
    strptime's ``%y`` rule (69-99 -> 19xx, 00-68 -> 20xx)."""
    if order not in DATE_ORDERS:
        raise ValueError(f"date order must be one of {DATE_ORDERS}, not {order!r}")
    idx = {"dmy": (2, 1, 0), "mdy": (2, 0, 1), "ymd": (0, 1, 2)}[order]
    y, m, d = (nd.values[i] for i in idx)
    y_len, m_len, d_len = (nd.lengths[i] for i in idx)
    y = np.where(y_len == 2, np.where(y >= 69, 1900, 2000) + y, y)
    ok = nd.matched & ((y_len == 4) | (y_len == 2)) & (m_len <= 2) & (d_len <= 2) & real_date(y, m, d)
    return np.where(ok, days_from_civil(y, m, d), 0), ok


def arrow_text(s: pd.Series) -> pa.Array:
    """A text column as one contiguous pyarrow ``string`` array (pandas may hold it in chunks,
    as ``large_string``; compute kernels want one type)."""
    t = s if s.dtype == "str" else s.astype("str")
    arr = pa.array(t.array)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks else pa.array([], arr.type)
    return arr.cast(pa.string())


def _arrow_ints(arr: pa.Array, where: np.ndarray | None, fill: int) -> tuple[np.ndarray, np.ndarray]:
    unsigned = pc.utf8_ltrim(arr, "+-")
    ok = pc.and_(pc.utf8_is_decimal(unsigned), pc.less_equal(pc.utf8_length(unsigned), 9))
    ok = pc.and_(ok, pc.less_equal(pc.subtract(pc.utf8_length(arr), pc.utf8_length(unsigned)), 1))
    okn = np.asarray(pc.fill_null(ok, False).to_numpy(zero_copy_only=False), dtype=bool).copy()
    if where is not None:
        okn &= where
    safe = pc.if_else(pa.array(okn), arr, str(fill))
    values = np.asarray(pc.cast(safe, pa.int64()).to_numpy(zero_copy_only=False), dtype="int64").copy()
    return values, okn


def int_values(s: pd.Series, where: np.ndarray | None = None, fill: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Whole numbers (up to 9 digits, optional sign) as ``int64`` through pyarrow (no regex, no
    ``pd.to_numeric``); returns the values (``fill`` elsewhere) and where the text was a number."""
    return _arrow_ints(arrow_text(s), where, fill)


def iso_to_days(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``YYYY-MM-DD`` text -> (days since 1970-01-01, real-calendar-date mask), without
    parsing through datetime objects."""
    arr = pc.utf8_trim_whitespace(arrow_text(series))
    shaped = pc.fill_null(
        pc.and_(
            pc.equal(pc.utf8_length(arr), 10),
            pc.and_(
                pc.equal(pc.utf8_slice_codeunits(arr, 4, 5), "-"), pc.equal(pc.utf8_slice_codeunits(arr, 7, 8), "-")
            ),
        ),
        False,
    )
    where = np.asarray(shaped.to_numpy(zero_copy_only=False), dtype=bool)
    y, oky = _arrow_ints(pc.utf8_slice_codeunits(arr, 0, 4), where, 1970)
    m, okm = _arrow_ints(pc.utf8_slice_codeunits(arr, 5, 7), where, 1)
    d, okd = _arrow_ints(pc.utf8_slice_codeunits(arr, 8, 10), where, 1)
    ok = oky & okm & okd & real_date(y, m, d)
    return np.where(ok, days_from_civil(y, m, d), 0), ok


def _assemble(y: pd.Series, m: pd.Series, d: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Join parts into ``YYYY-MM-DD`` text and say which are real calendar dates."""
    text = y + "-" + m.str.zfill(2) + "-" + d.str.zfill(2)
    ok = text.str.fullmatch(ISO_DATE).fillna(False).to_numpy(dtype=bool)
    yy, mm, dd = (int_values(part, ok, fill=1)[0] for part in (y, m, d))
    return text, ok & real_date(yy, mm, dd)


def parse_by_order(series: pd.Series, order: str) -> DateParse:
    """Read numeric dates (``31/12/2024``, ``12-31-24``, ``2024.12.31``) in a known ``order``."""
    s = _text(series)
    present = _present(s)
    days, ok = _read_in_order(_numeric_dates(s), order)
    out = iso_from_days(days, ok, s.index).where(ok, s).where(present)
    return DateParse(out.astype("str"), present & ~ok)


def month_numbers(month: pd.Series) -> pd.Series:
    """Month as 1..12 text from a number or an English name/abbreviation (any case);
    unknown names keep their text."""
    m = _text(month)
    named = m.str.lower().map(MONTHS)
    num = named.astype("Int64").astype("str")
    return num.where(named.notna(), m)


def assemble_date_parts(year: pd.Series, month: pd.Series, day: pd.Series) -> DateParse:
    """Dates from year / month / day columns.  Impossible dates (Feb 30, Feb 29 of a common
    year, month 13) keep a readable ``2017-02-30`` so that validation reports them."""
    y, d = _text(year), _text(day)
    m = month_numbers(month)
    present = (y.notna() | m.notna() | d.notna()).to_numpy()
    y2, m2, d2 = y.fillna("??"), m.fillna("??"), d.fillna("??")
    text, ok = _assemble(y2, m2, d2)
    text = text.where(present)
    return DateParse(text.astype("str"), present & ~ok)


def iso_date_mask(series: pd.Series) -> np.ndarray:
    """True where the value is an ISO date, optionally with a time part."""
    return extract(_text(series), _ISO_DATE_OR_DATETIME)["date"].notna().fillna(False).to_numpy(dtype=bool)


# unambiguous textual formats tried on values that are neither ISO nor numeric d/m/y
TEXT_DATE_FORMATS = (
    "%d %b %Y",
    "%d %B %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%d %b %y",
    "%a, %d %b %Y",
    "%A, %d %B %Y",
    "%Y%m%d",
    "%d.%b.%Y",
    "%d/%b/%Y",
    "%d.%b.%y",
    "%d/%b/%y",
)
# month names in the languages vendors write (accents removed, lower case) -> month number;
# English is in MONTHS.  A name is also known by its first letters (``janv``, ``sept``, ``dez``).
LOCAL_MONTHS: dict[str, int] = {}
for _i, _names in enumerate(
    [
        "januar janvier enero gennaio janeiro januari jaenner jaenuar janner",
        "februar fevrier febrero febbraio fevereiro februari",
        "maerz marz mars marzo marco maart mrt",
        "april avril abril aprile",
        "mai mayo maggio maio mei",
        "juni juin junio giugno junho",
        "juli juillet julio luglio julho",
        "august aout agosto augustus",
        "september septembre septiembre setiembre settembre setembro",
        "oktober octobre octubre ottobre outubro",
        "november novembre noviembre novembro",
        "dezember decembre diciembre dicembre dezembro december",
    ],
    start=1,
):
    for _name in _names.split():
        LOCAL_MONTHS[_name] = _i
_LOCAL_ABBREVIATIONS = {"jan": 1, "janv": 1, "jaen": 1, "ene": 1, "gen": 1, "fev": 2, "febr": 2, "mrz": 3, "mar": 3,
                        "avr": 4, "abr": 4, "apr": 4, "mag": 5, "juin": 6, "giu": 6, "juil": 7, "lug": 7, "ago": 8,
                        "aou": 8, "set": 9, "sept": 9, "ott": 10, "okt": 10, "out": 10, "dez": 12, "dic": 12,
                        "dec": 12}  # fmt: skip
_MONTH_ABBR = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_TIME = r"(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<sec>\d{2}))?\s*(?P<ampm>[AaPp][Mm])?"
_NUMERIC_DATETIME = r"^\d{1,4}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,4}(?:[T ]|,\s*)+" + _TIME + "$"


def _month_number(word: str) -> int | None:
    w = "".join(c for c in unicodedata.normalize("NFKD", word.lower().rstrip(".")) if not unicodedata.combining(c))
    if w in MONTHS:
        return MONTHS[w]
    if w in LOCAL_MONTHS:
        return LOCAL_MONTHS[w]
    if w in _LOCAL_ABBREVIATIONS:
        return _LOCAL_ABBREVIATIONS[w]
    hits = {m for name, m in LOCAL_MONTHS.items() if len(w) >= 3 and name.startswith(w)}
    return hits.pop() if len(hits) == 1 else None


def _english_month_dates(s: pd.Series, left: np.ndarray) -> pd.Series:
    """``17. März 2023``, ``17.Jan.2023``, ``3 févr. 2023`` -> ``17 mar 2023``: month names of
    any language vendors write become English abbreviations and the separators single
    spaces.  Done once per distinct text (a column holds few), never per row."""
    texts = s.where(left)
    distinct = pd.Series(texts.dropna().unique(), dtype="str")
    if distinct.empty:
        return texts
    out: dict[str, str] = {}
    for text in distinct.tolist():
        parts = [p for p in re.split(r"[\s\-/.,]+", text) if p]
        words = [i for i, p in enumerate(parts) if not p.isdigit()]
        if len(parts) != 3 or len(words) != 1:
            continue
        m = _month_number(parts[words[0]])
        if m is None:
            continue
        parts[words[0]] = _MONTH_ABBR[m - 1]
        out[text] = " ".join(parts)
    return texts.map(out)


def _textual_dates(s: pd.Series, todo: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(days, ok) for ``12 Mar 2024``, ``Mar 12, 2024``, ``20240312``, ``17.Jan.23``,
    ``17. März 2023``... (first format that reads a value wins; each format is unambiguous,
    so mixing them in a column is safe)."""
    days = np.zeros(len(s), dtype="int64")
    ok = np.zeros(len(s), dtype=bool)
    days, ok = _read_formats(s, todo, days, ok, TEXT_DATE_FORMATS)
    left = todo & ~ok
    if left.any():
        english = _english_month_dates(s, left)
        days, ok = _read_formats(english, left & english.notna().to_numpy(), days, ok,
                                 ("%d %b %Y", "%d %b %y", "%b %d %Y", "%Y %b %d"))  # fmt: skip
    return days, ok


def _read_formats(
    s: pd.Series, todo: np.ndarray, days: np.ndarray, ok: np.ndarray, formats: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray]:
    for fmt in formats:
        left = todo & ~ok
        if not left.any():
            break
        dt = pd.to_datetime(s.where(left), format=fmt, errors="coerce")
        hit = dt.notna().to_numpy() & left
        if hit.any():
            d = dt.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype("int64")
            days = np.where(hit, d, days)
            ok |= hit
    return days, ok


def _iso_flags(arr: pa.Array, pattern: str) -> np.ndarray:
    return np.asarray(pc.fill_null(pc.match_substring_regex(arr, pattern), False).to_numpy(zero_copy_only=False), bool)


def _all_plain_iso(series: pd.Series) -> bool:
    """True when every non-missing value is exactly ``DDDD-DD-DD`` (the usual export).

    Checked on the Arrow buffers: such values are 10 bytes each and lie back to
    back in the data buffer, which is then viewed as an (n, 10) byte matrix; no
    regex, no copy.  Anything else (times, other forms, blanks) says False.
    """
    if series.dtype != "str":
        return False
    arr = pa.array(series.array)
    for chunk in arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]:
        n = len(chunk)
        if n == 0 or chunk.null_count == n:
            continue
        if not (pa.types.is_large_string(chunk.type) or pa.types.is_string(chunk.type)):
            return False
        width = 8 if pa.types.is_large_string(chunk.type) else 4
        bufs = chunk.buffers()
        offs = np.frombuffer(bufs[1], dtype=np.int64 if width == 8 else np.int32, count=n + 1,
                             offset=chunk.offset * width)
        lens = np.diff(offs)
        expected = np.full(n, 10, dtype=lens.dtype)
        if chunk.null_count:
            expected[~np.asarray(chunk.is_valid().to_numpy(zero_copy_only=False), dtype=bool)] = 0
        if not np.array_equal(lens, expected):
            return False
        block = np.frombuffer(bufs[2], dtype=np.uint8)[int(offs[0]) : int(offs[-1])].reshape(-1, 10)
        if not (block[:, [4, 7]] == 45).all():
            return False
        if not ((block[:, [0, 1, 2, 3, 5, 6, 8, 9]] - np.uint8(48)) < 10).all():
            return False
    return True


def _dates_of(s: pd.Series, nd: _NumericDates, rest: np.ndarray, numeric: np.ndarray,
              also: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, DateOrderDecision | None]:
    """(days, read, day/month decision) of the ``rest`` rows: month-name dates as such, the
    ``numeric`` rows in the order the column proves (where ``also`` holds too)."""
    days, ok = _textual_dates(s, rest & ~nd.matched)
    decision = None
    if numeric.any():
        decision = _decide(nd, among=numeric)
        if decision.order is not None:
            d2, ok2 = _read_in_order(nd, decision.order)
            ok2 &= numeric if also is None else numeric & also
            days, ok = np.where(ok2, d2, days), ok | ok2
    return days, ok, decision


def normalize_dates_auto(series: pd.Series) -> tuple[DateParse, DateOrderDecision | None]:
    """Dates without a declared format: ISO values (with or without a time part) become
    ``YYYY-MM-DD``; numeric dates are read in the order the column proves; month-name
    dates (``12 Mar 2024``) are read as such.  Returns the day/month decision (None when
    there were no numeric non-ISO dates); if it is ambiguous those values are left as
    they are."""
    if _all_plain_iso(series):  # nothing to normalize (whether the dates are real is validation's job)
        return DateParse(series, np.zeros(len(series), dtype=bool)), None
    s = _text(series)
    present = _present(s)
    arr = arrow_text(s)
    is_iso = _iso_flags(arr, _ISO_DATE_OR_DATETIME)
    iso = pd.Series(pd.array(pc.utf8_slice_codeunits(arr, 0, 10), dtype="str"), index=s.index, dtype="str")
    out = iso.where(is_iso, s).where(present).astype("str")
    out.name = series.name
    rest = present & ~is_iso
    if not rest.any():
        return DateParse(out, np.zeros(len(s), dtype=bool)), None
    nd = _numeric_dates(s)
    days, ok, decision = _dates_of(s, nd, rest, rest & nd.matched)
    out = iso_from_days(days, ok, s.index).where(ok, out)
    out.name = series.name
    return DateParse(out.astype("str"), rest & ~ok), decision


def normalize_datetimes_auto(series: pd.Series) -> DateParse:
    """Date-times without a declared format: ISO-like ``2024-03-01 14:05[:09][Z|+01:00]``
    becomes ``2024-03-01T14:05:09``; plain dates and anything else are left alone."""
    return normalize_datetimes_ordered(series, numeric=False)[0]


def normalize_datetimes_ordered(series: pd.Series, numeric: bool = True) -> tuple[DateParse, DateOrderDecision | None]:
    """Like :func:`normalize_datetimes_auto`, and also ``03/04/2024 14:05`` / ``03/04/2024``
    (``2:05 PM`` too) in the day/month order the column proves, and month-name dates.
    A bare date stays a date (``YYYY-MM-DD``)."""
    s = _text(series)
    present = _present(s)
    p = extract(s, _ISO_DATETIME)
    ok = p["date"].notna().to_numpy()
    seconds = p["s"].where(p["s"].fillna("") != "", ":00")  # RE2 gives "" for an unmatched group
    iso = p["date"] + "T" + p["hm"] + seconds + p["frac"].fillna("") + p["tz"].fillna("")
    out = iso.where(ok, s).where(present).astype("str")
    plain_date = s.str.fullmatch(ISO_DATE).fillna(False).to_numpy(dtype=bool)
    rest = present & ~ok & ~plain_date
    if not numeric or not rest.any():
        return DateParse(out, rest), None
    nd = _numeric_dates(s)
    t = extract(s, _NUMERIC_DATETIME)
    has_time = t["h"].notna().to_numpy()
    h, _ = int_values(t["h"].fillna("0"))
    mi, _ = int_values(t["mi"].fillna("0"))
    sec, _ = int_values(t["sec"].where(t["sec"].fillna("") != "", "0").fillna("0"))
    ampm = t["ampm"].fillna("").str.lower().to_numpy(dtype=object)
    pm, am = ampm == "pm", ampm == "am"
    time_ok = ~has_time | ((h <= 23) & (mi <= 59) & (sec <= 59) & (~(pm | am) | ((h >= 1) & (h <= 12))))
    h = np.where(pm & (h < 12), h + 12, np.where(am & (h == 12), 0, h))
    bare = nd.matched & ~has_time & ~s.str.contains(r"[T ,]", regex=True).fillna(False).to_numpy(dtype=bool)
    candidates = rest & nd.matched & (has_time | bare)
    days, good, decision = _dates_of(s, nd, rest, candidates, time_ok)
    date_text = iso_from_days(days, good, s.index)
    clock = pd.Series(
        np.char.add(
            np.char.add(np.char.zfill(h.astype(str), 2), ":"),
            np.char.add(np.char.add(np.char.zfill(mi.astype(str), 2), ":"), np.char.zfill(sec.astype(str), 2)),
        ),
        index=s.index,
        dtype="str",
    )
    stamped = (date_text + "T" + clock).where(has_time, date_text)
    out = stamped.where(good, out)
    out.name = series.name
    return DateParse(out.astype("str"), rest & ~good), decision


_DIRECTIVE = re.compile(r"%[-#]?[a-zA-Z%]")


def format_has_time(fmt: str) -> bool:
    return any(d[-1] in "HIMSfpz" for d in _DIRECTIVE.findall(fmt))
