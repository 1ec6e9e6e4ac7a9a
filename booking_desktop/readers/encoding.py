"""Decoding text files to UTF-8 bytes.

The CSV parser (pyarrow) reads UTF-8 bytes directly, so the common case --
a UTF-8 file -- costs nothing here: it is handed over as is and pyarrow
validates it while parsing.  Everything else is transcoded once:

* a BOM decides (UTF-8, UTF-16 LE/BE); UTF-16 without a BOM is recognised by
  its NUL bytes;
* valid UTF-8 stays UTF-8;
* bytes that are not UTF-8 anywhere are a legacy single-byte encoding: the
  code page whose reading looks most like text wins (cp1252 on a tie), and an
  ``encoding-uncertain`` warning shows the values under the other plausible
  readings, so that a wrong guess is never silent (``encoding`` pins it);
* a file that is UTF-8 in most lines but has some cp1252 lines (two exports
  pasted together) is decoded line by line and the lines are reported in an
  ``encoding`` warning.
"""

from __future__ import annotations

import codecs
import functools
import re
import threading
import unicodedata
from dataclasses import dataclass, field

import numpy as np

from booking_desktop.errors import Problem
from booking_desktop.readers.source import fail, utf16_without_bom, warning

_MAX_LISTED_LINES = 10
_BOM = codecs.BOM_UTF8
#: More NUL bytes than this past the sniffed start (not counting padding at the end): not a text file.
_MAX_NUL_BYTES = 1000


@dataclass
class Decoded:
    data: bytes  # UTF-8, without BOM
    encoding: str  # what the file was: "utf-8", "utf-8-sig", "utf-16-le", "cp1252", "utf-8+cp1252"...
    problems: list[Problem] = field(default_factory=list)


def to_utf8(data: bytes, label: str, encoding: str | None = None, assume_utf8: bool = False) -> Decoded:
    """UTF-8 bytes of ``data``.

    ``encoding`` forces a codec.  ``assume_utf8`` skips validation of BOM-less
    bytes (the caller validates while parsing and comes back on failure).
    """
    if encoding:
        try:
            text = data.decode(encoding)
        except LookupError:
            raise fail("encoding", f"unknown encoding {encoding!r}", label) from None
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise fail("encoding", f"not valid {encoding} ({exc.reason})", label, f"line {line}") from None
        return Decoded(text.lstrip("\ufeff").encode("utf-8"), encoding)
    if data.startswith(codecs.BOM_UTF8):
        dec = to_utf8(data[3:], label, assume_utf8=assume_utf8)
        dec.encoding = "utf-8-sig" if dec.encoding == "utf-8" else dec.encoding
        return dec
    for bom, enc in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return _transcode(data[2:], enc, label)
    utf16 = utf16_without_bom(data[:4096])
    if utf16:
        return _transcode(data, utf16, label)
    if assume_utf8 or _is_utf8(data):
        return Decoded(data, "utf-8")
    return _legacy_or_mixed(data, label)


def _transcode(data: bytes, enc: str, label: str) -> Decoded:
    text = data.decode(enc, errors="replace")
    problems = []
    if "\ufffd" in text:
        line = text.count("\n", 0, text.index("\ufffd")) + 1
        problems.append(
            warning("encoding", f"some bytes are not valid {enc} and were replaced by �", label, f"line {line}")
        )
    return Decoded(text.encode("utf-8"), enc, problems)


def _is_utf8(data: bytes) -> bool:
    try:
        codecs.decode(data, "utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _legacy_or_mixed(data: bytes, label: str) -> Decoded:
    east_asian = _multibyte(data, label)
    if east_asian is not None:
        return east_asian
    arr = np.frombuffer(data, dtype=np.uint8)
    high = arr >= 0x80
    # Lead bytes of 2-4 byte UTF-8 sequences followed by a continuation byte:
    # a file with none of them was never UTF-8 anywhere.
    lead = (arr[:-1] >= 0xC2) & (arr[:-1] <= 0xF4) & ((arr[1:] & 0xC0) == 0x80)
    if high.any() and lead.any() and not data.decode("utf-8", errors="ignore").isascii():
        return _mixed(data, label)
    return _legacy(data, label)


#: Multi-byte code pages of East Asian exports.  Scored as single-byte pages they read as mojibake
#: (a Shift_JIS file came out as cp850 without a word; GB18030, Big5 and EUC-KR as "mixed").
MULTIBYTE_ENCODINGS: dict[str, str] = {
    "cp932": "Japanese, Shift_JIS (Windows-932)",
    "shift_jis": "Japanese, Shift_JIS",
    "euc_jp": "Japanese, EUC-JP",
    "iso2022_jp": "Japanese, ISO-2022-JP",
    "gb18030": "Chinese, GB18030",
    "gbk": "Chinese, GBK",
    "gb2312": "Chinese, GB2312",
    "big5": "Chinese (traditional), Big5",
    "big5hkscs": "Chinese (traditional), Big5-HKSCS",
    "cp950": "Chinese (traditional), Windows-950",
    "cp949": "Korean, Windows-949",
    "euc_kr": "Korean, EUC-KR",
}


_EAST_ASIAN_SCRIPTS = frozenset(
    ("CJK", "HIRAGANA", "KATAKANA", "KATAKANA-HIRAGANA", "HANGUL", "IDEOGRAPHIC", "FULLWIDTH")
)


def _multibyte(data: bytes, label: str) -> Decoded | None:
    """A file that is not UTF-8 but East Asian multi-byte text, as charset-normalizer reads the lines
    holding non-ASCII bytes (it weighs how coherent each decoding is as a language); taken only when
    the whole file decodes in that code page, and said in an ``encoding-uncertain`` warning.  None
    for anything else: the single-byte pages are scored by :func:`guess_legacy`."""
    sample, _ = _high_lines(data)
    arr = np.frombuffer(sample, dtype=np.uint8)
    high = arr >= 0x80
    # East Asian text is dense in high bytes (every character's lead byte, often two in a row);
    # Western accents stand alone between ASCII letters, in lines of ASCII dates and numbers
    paired = int((high[:-1] & high[1:]).sum())
    dense = high.sum() >= 0.15 * max(1, len(arr))
    if not (dense or (paired >= 4 and paired >= 0.3 * high.sum())):
        return None
    from charset_normalizer import from_bytes  # only here: 12 ms of import

    for match in from_bytes(sample):  # best first
        try:
            enc = codecs.lookup(match.encoding).name
        except LookupError:
            continue
        if enc not in MULTIBYTE_ENCODINGS:
            continue
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        # East Asian text is made of ideographs, kana or hangul; a Western file read in such a code
        # page gives a few half-width katakana and symbols (cp932 reads ISO-8859-15's "€" as "､")
        chars = [c for c in sample.decode(enc) if ord(c) > 0x7F]
        wide = sum(_script(c) in _EAST_ASIAN_SCRIPTS for c in chars)
        if wide >= 2 and wide >= 0.8 * len(chars):
            break
    else:
        return None
    note = warning(
        "encoding-uncertain",
        f"not UTF-8: read as {enc} ({MULTIBYTE_ENCODINGS[enc]}), the code page the text reads as; "
        "give the encoding (--encoding or the profile's reader.encoding) if the values look wrong",
        label,
    )
    return Decoded(text.lstrip("\ufeff").encode("utf-8"), enc, [note])


def _legacy(data: bytes, label: str) -> Decoded:
    """The legacy code page that reads the file most plausibly (see :func:`guess_legacy`); an
    ``encoding-uncertain`` warning shows the values under each reading when others are as likely."""
    guess = guess_legacy(data)
    text = data.decode(guess.encoding, errors="replace")
    problems = []
    if guess.alternatives:
        problems.append(_uncertain(guess, label))
    return Decoded(text.encode("utf-8"), guess.encoding, problems)


#: Single-byte code pages tried for a file that is not UTF-8, in order of preference on a tie
#: (cp1252 first: the usual Western Windows export; Latin-1 files read the same way).
LEGACY_ENCODINGS: dict[str, str] = {
    "cp1252": "Windows-1252, Western European",
    "iso8859_15": "ISO-8859-15, Western European with €",
    "cp1250": "Windows-1250, Central European",
    "iso8859_2": "ISO-8859-2, Central European",
    "cp1254": "Windows-1254, Turkish",
    "cp1253": "Windows-1253, Greek",
    "iso8859_7": "ISO-8859-7, Greek",
    "cp1251": "Windows-1251, Cyrillic",
    "koi8_r": "KOI8-R, Cyrillic",
    "cp1257": "Windows-1257, Baltic",
    "mac_roman": "Mac OS Roman",
    "cp850": "DOS code page 850",
    "latin_1": "ISO-8859-1",
}
#: The accented letters of the languages the Latin code pages serve: a word whose letters fit no
#: single one of them (``Jiøí``: Nordic ø with an acute i) is a misreading.
_LATIN_LANGUAGES = tuple(
    frozenset(letters)
    for letters in (
        "àâæçéèêëîïôœùûüÿ",  # French
        "äöüß",  # German
        "áéíñóúü",  # Spanish
        "àáâãçéêíóôõú",  # Portuguese
        "àèéìíîòóù",  # Italian
        "åæøéäö",  # Nordic
        "áäčďéěíĺľňóôŕřšťúůýž",  # Czech / Slovak
        "ąćęłńóśźż",  # Polish
        "áéíóöőúüű",  # Hungarian
        "čćđšž",  # Croatian / Slovene
        "ăâîșțşţ",  # Romanian
        "çğıöşüâî",  # Turkish
        "áðéíóúýþæö",  # Icelandic
        "āčēģīķļņšūž",  # Latvian
        "ąčęėįšųūž",  # Lithuanian
        "äöõšüž",  # Estonian
        "àèéìíòóúïüç",  # Catalan
    )
)
_SPLIT = re.compile(rb"[\s!-/:-@\[-`{-~\d]+")  # ASCII punctuation, digits, spaces: what parts words
_C1 = re.compile("[\x80-\x9f]")
_EDGE_PUNCTUATION = frozenset(("Pi", "Pf", "Pd", "Ps", "Pe"))  # “quoted”, – dashes: fine next to a word
_RARE = frozenset("ΰΐ")  # Greek letters that Cyrillic text read as Greek is full of
#: Added to a reading's penalty: a file whose few non-ASCII letters read as well in Greek or
#: Cyrillic as in a Latin code page (a lone ``é``) is a Western file with an accent.
_PRIOR = {
    **dict.fromkeys(("cp1253", "iso8859_7", "cp1251", "koi8_r", "mac_roman", "cp850", "cp1257"), 0.03),
    "iso8859_15": 0.01,  # a tie with Windows-1252 is nearly always ¤/€: shown, not chosen
}
_SAMPLE_LINES_BYTES = 256 * 1024
_EXAMPLES = 3
_WORD = re.compile(r"[^\s\d!-/:-@\[-`{-~]+")  # runs of letters and non-ASCII symbols


@dataclass
class LegacyGuess:
    encoding: str  # Python codec name
    alternatives: list[str]  # other codecs as plausible that read the file differently
    examples: dict[str, list[str]]  # codec -> the first differing words as it reads them
    line: int | None = None  # first line where the readings differ


def guess_legacy(data: bytes) -> LegacyGuess:
    """Score every code page of :data:`LEGACY_ENCODINGS` on the distinct words that have non-ASCII
    bytes (in the first 256 KB of such lines).

    Each reading is penalised for what real text does not do: control characters, an undefined
    byte, a symbol glued to a word (``£ukasz``), letters of two scripts in one word
    (``Agliθ``), an accented capital after a small letter (``AgliË``), Latin words made only of
    accented letters (Greek or Cyrillic read as Windows-1252: ``Áèçíá``).  The lowest penalty
    per non-ASCII letter wins, ties going to the earlier code page; the others within a small
    margin that read the sample differently are the alternatives.
    """
    sample, first_line = _high_lines(data)
    words = b"\n".join(dict.fromkeys(w for w in _SPLIT.split(sample) if not w.isascii()))
    scores: dict[str, float] = {}
    texts: dict[str, str] = {}
    for enc in LEGACY_ENCODINGS:
        try:
            text = words.decode(enc)
        except UnicodeDecodeError:
            continue
        texts[enc] = text
        scores[enc] = _implausibility(text) + _PRIOR.get(enc, 0.0)
    if not scores:
        return LegacyGuess("latin-1", [], {})
    best = min(scores, key=lambda e: (scores[e], list(LEGACY_ENCODINGS).index(e)))
    margin = scores[best] + 0.02
    alternatives = []
    seen = {texts[best]}
    for enc in LEGACY_ENCODINGS:
        if enc != best and enc in scores and scores[enc] <= margin and texts[enc] not in seen:
            seen.add(texts[enc])
            alternatives.append(enc)
    names = [codecs.lookup(e).name for e in [best, *alternatives[:3]]]
    examples, line = _examples(sample, first_line, names)
    return LegacyGuess(names[0], names[1:], examples, line)


def _high_lines(data: bytes) -> tuple[bytes, list[int]]:
    """The lines holding non-ASCII bytes (up to 256 KB) and the physical line of each."""
    nl = b"\n" if b"\n" in data else b"\r"
    out: list[bytes] = []
    lines: list[int] = []
    size = 0
    for i, line in enumerate(data.split(nl), start=1):
        if not line.isascii():
            out.append(line)
            lines.append(i)
            size += len(line)
            if size >= _SAMPLE_LINES_BYTES:
                break
    return b"\n".join(out), lines


@functools.lru_cache(maxsize=4096)
def _script(c: str) -> str:
    try:
        return unicodedata.name(c).split(" ", 1)[0]
    except ValueError:
        return "?"


def _implausibility(text: str) -> float:
    penalty = 0.0
    letters = 0
    for m in _WORD.finditer(text):
        word = m.group()
        if word.isascii():
            continue
        high = [c for c in word if ord(c) >= 0x80 and c.isalpha()]
        letters += len(high)
        scripts = {_script(c) for c in word if c.isalpha()}
        if len(scripts) > 1:
            penalty += len(high)
        elif scripts == {"LATIN"} and high:
            accents = {c.lower() for c in high}
            if not any(accents <= lang for lang in _LATIN_LANGUAGES):
                penalty += len(high)
        if "LATIN" in scripts and len(scripts) == 1 and len(word) >= 3 and len(high) == len(word):
            penalty += len(high)
        prev = ""
        for i, c in enumerate(word):
            if ord(c) >= 0x80:
                cat = unicodedata.category(c)
                if cat.startswith("C"):
                    penalty += 2
                elif not c.isalpha() and (
                    (prev.isalpha() and i + 1 < len(word) and word[i + 1].isalpha())
                    or (cat not in _EDGE_PUNCTUATION and c not in "¡¿" and (prev.isalpha() or i + 1 < len(word)))
                ):
                    penalty += 1  # a symbol inside or glued to a word: 'Agli¹s', '£ukasz', 'Gê¶', '¶ννα'
                elif c == "ς" and i + 1 < len(word) and word[i + 1].isalpha():
                    penalty += 1  # Greek final sigma inside a word: Cyrillic read as Greek
                elif c in _RARE:
                    penalty += 0.5
                elif c.isupper() and prev.islower():
                    penalty += 1
            prev = c
    penalty += 2 * len(_C1.findall(text))  # C1 controls outside words too (Latin-1 reading of “quotes”)
    return penalty / max(letters, 1)


def _examples(sample: bytes, lines: list[int], encodings: list[str]) -> tuple[dict[str, list[str]], int | None]:
    """The first words the readings disagree on, as each reads them, and the line of the first."""
    out: dict[str, list[str]] = {e: [] for e in encodings}
    first: int | None = None
    if len(encodings) < 2:
        return out, None
    for line_no, line in zip(lines, sample.split(b"\n"), strict=False):
        for word in re.split(rb"[\s,;|\t\"']+", line):
            if word.isascii():
                continue
            readings = [word.decode(e, errors="replace") for e in encodings]
            if len(set(readings)) > 1:
                first = first or line_no
                for e, r in zip(encodings, readings, strict=True):
                    if r not in out[e]:
                        out[e].append(r)
                if len(out[encodings[0]]) >= _EXAMPLES:
                    return out, first
    return out, first


def _uncertain(guess: LegacyGuess, label: str) -> Problem:
    def shown(enc: str) -> str:
        words = ", ".join(repr(w) for w in guess.examples.get(enc, [])[:_EXAMPLES])
        return f"{enc} ({_describe(enc)}){': ' + words if words else ''}"

    others = "; ".join(shown(a) for a in guess.alternatives)
    return warning(
        "encoding-uncertain",
        f"the file is not UTF-8 and its encoding is not certain: read as {shown(guess.encoding)}. "
        f"It may also be {others}. If the values look wrong, pin the encoding (--encoding NAME, or "
        "'encoding: NAME' under the profile's reader options)",
        label,
        f"line {guess.line}" if guess.line else None,
    )


def _describe(enc: str) -> str:
    for name, text in LEGACY_ENCODINGS.items():
        if codecs.lookup(name).name == enc:
            return text
    return enc


_state = threading.local()


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    _state.offsets.append(exc.start)
    return bad.decode("cp1252", errors="replace").replace("\ufffd", bad.decode("latin_1")), exc.end


codecs.register_error("booking-desktop-cp1252", _cp1252_fallback)


def _mixed(data: bytes, label: str) -> Decoded:
    _state.offsets = []
    try:
        text = data.decode("utf-8", errors="booking-desktop-cp1252")
        offsets = np.asarray(_state.offsets, dtype=np.int64)
    finally:
        _state.offsets = []
    newlines = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    lines = np.unique(np.searchsorted(newlines, offsets) + 1)
    shown = ", ".join(str(int(n)) for n in lines[:_MAX_LISTED_LINES])
    more = f" and {len(lines) - _MAX_LISTED_LINES} more" if len(lines) > _MAX_LISTED_LINES else ""
    where = f"line {shown}" if len(lines) == 1 else f"lines {shown}{more}"
    problem = warning(
        "encoding",
        f"the file mixes encodings: {where} {'is' if len(lines) == 1 else 'are'} not UTF-8 and "
        f"{'was' if len(lines) == 1 else 'were'} read as Windows-1252; check those values",
        label,
        where,
    )
    return Decoded(text.encode("utf-8"), "utf-8+cp1252", [problem])


def strip_stray_marks(dec: Decoded, label: str, nul: bool = True) -> Decoded:
    """Remove byte-order marks (U+FEFF) inside the text and, with ``nul``, NUL bytes, and say where.

    A BOM in the middle of a file comes from pasting one export after another: left in, it
    glues an invisible character to a value (``"\\ufeffR000000003"`` is another booking reference
    than ``R000000003``).  A NUL byte is never part of a value either.  Both are removed with an
    ``encoding`` warning that names the lines.  A file with many NUL bytes past its start (a
    binary file behind a text header) is refused as ``binary-file``; a run of NUL bytes at the end
    (a file pre-allocated and not filled, e.g. after a crash) is reported as padding.
    """
    data = dec.data
    problems: list[Problem] = []
    if data.find(b"\xef") >= 0 and data.find(_BOM) >= 0:  # memchr first: two-byte finds are 6x slower
        lines = _lines_of(data, _BOM)
        data = data.replace(_BOM, b"")
        problems.append(
            warning(
                "encoding",
                f"{lines[1]} byte-order mark(s) (U+FEFF) inside the file were removed from "
                f"{_listed(lines[0])}; was one export pasted after another?",
                label,
                _listed(lines[0][:1]),
            )
        )
    if nul and data.find(b"\x00") >= 0:
        body = data.rstrip(b"\x00")
        padding = len(data) - len(body)
        total = body.count(b"\x00")
        if total > _MAX_NUL_BYTES:
            first = body.count(b"\n", 0, body.find(b"\x00")) + 1
            raise fail(
                "binary-file",
                f"the file holds {total:,} NUL bytes from line {first} on: not a text export "
                "(binary data, or a damaged file)",
                label,
                f"line {first}",
            )
        if total:
            lines = _lines_of(body, b"\x00")
            problems.append(
                warning(
                    "encoding",
                    f"{total} NUL byte(s) inside values were removed from {_listed(lines[0])}",
                    label,
                    _listed(lines[0][:1]),
                )
            )
        if padding:
            last = body.count(b"\n") + (0 if body.endswith(b"\n") else 1)
            problems.append(
                warning(
                    "encoding",
                    f"the file ends with {padding:,} NUL byte(s) after line {last} (padding of a file "
                    "that was not written to the end?); they were ignored",
                    label,
                    f"line {last}",
                )
            )
        data = body.replace(b"\x00", b"")
    if not problems:
        return dec
    return Decoded(data, dec.encoding, [*dec.problems, *problems])


def _lines_of(data: bytes, needle: bytes) -> tuple[list[int], int]:
    """(first physical lines holding ``needle``, up to the listing limit + 1; how many there are)."""
    nl = b"\n" if b"\n" in data else b"\r"
    lines: list[int] = []
    total = data.count(needle)
    pos, line = 0, 1
    while len(lines) <= _MAX_LISTED_LINES:
        hit = data.find(needle, pos)
        if hit < 0:
            break
        line += data.count(nl, pos, hit)
        if not lines or lines[-1] != line:
            lines.append(line)
        pos = hit + len(needle)
    return lines, total


def _listed(lines: list[int]) -> str:
    shown = ", ".join(str(n) for n in lines[:_MAX_LISTED_LINES])
    more = " and more" if len(lines) > _MAX_LISTED_LINES else ""
    return f"line {shown}" if len(lines) == 1 else f"lines {shown}{more}"
