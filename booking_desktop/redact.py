"""Keeping secrets out of every message, log line and ``--json`` output.

:func:`mask_secrets` masks the password part of anything that looks like a URI's
user information, whatever the scheme or its typo (``mongodb:/alice:PW@host``,
``mongo://…``, ``notmongo://…``, ``alice:PW@host``), and the values of secret
query options (``password=``, ``tlsCertificateKeyFilePassword=`` …).  It is applied
to every text the program shows or logs about a connection — a mistyped URI that
the driver refuses ends up in the driver's error message, so error texts are
masked too, not only the URIs we print ourselves.
"""

from __future__ import annotations

import logging
import re

MASK = "***"
# What the masking does, written as the regular expressions it once was (tests/test_redact.py checks the
# code against them on thousands of strings):
#   scheme://user:password@host
#     r"(?P<pre>[A-Za-z][A-Za-z0-9+.\-]*:?/+)(?P<ui>[^\s'\"<>]*)@(?P<host>[^\s'\"<>@]*)"
#   user:password@host
#     r"(?P<user>[^\s:/@'\"()<>\[\]{},;=]+):(?P<pw>[^\s'\"<>/][^\s'\"<>]*)@(?P<host>[^\s'\"<>@]*)"
# After a scheme (or a typo of one: "mongodb:/", "mongodb//", "mongo://") the user information runs to the
# *last* "@" of the token, since an unencoded password may hold "@", ":" or "/"; user names are kept.
# As regular expressions they backtracked from every start position to the end of the token: a 1 MB
# text of "a:a:a:..." or "a/a/a/..." beside one "@" took minutes.  Here each token is looked at once.
_TOKEN = re.compile(r"[^\s'\"<>]+")  # what a URI's user information and host never cross
_SLASHES = re.compile(r":?/+")
_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-")
_NOT_USER = frozenset(":/@'\"()<>[]{},;=")  # besides white space, which no token holds
_SECRET_OPTIONS = re.compile(
    r"(?P<key>(?:password|pwd|passwd|tlsCertificateKeyFilePassword|sslPEMKeyPassword"
    r"|sslClientCertificateKeyPassword|authMechanismProperties)['\"]?\s*[=:]\s*)(?P<q>['\"]?)[^&\s'\",}]*",
    re.I,
)


def _mask_with_scheme(token: str) -> str:
    """``scheme://user:password@host`` -> ``scheme://user:***@host`` (the leftmost scheme of the token)."""
    last_at = token.rfind("@")
    for m in _SLASHES.finditer(token):
        end = m.start()  # the scheme's characters end here
        begin = end
        while begin > 0 and token[begin - 1] in _SCHEME_CHARS:
            begin -= 1
        start = next((i for i in range(begin, end) if token[i].isascii() and token[i].isalpha()), None)
        if start is None:
            continue
        if last_at < m.end():
            return token  # no "@" after the leftmost scheme: none after any later one either
        user, colon, _ = token[m.end() : last_at].partition(":")
        if not colon:
            return token
        return f"{token[: m.end()]}{user}:{MASK}@{token[last_at + 1 :]}"
    return token


def _mask_bare(token: str) -> str:
    """``user:password@host`` -> ``user:***@host`` (the leftmost user followed by a colon that fits)."""
    last_at = token.rfind("@")
    colon = token.find(":")
    while 0 <= colon < last_at - 1:
        begin = colon
        while begin > 0 and token[begin - 1] not in _NOT_USER:
            begin -= 1
        if begin < colon and token[colon + 1] != "/":
            return f"{token[:begin]}{token[begin:colon]}:{MASK}@{token[last_at + 1 :]}"
        colon = token.find(":", colon + 1)
    return token


def _mask_tokens(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        token = m.group(0)
        return _mask_bare(_mask_with_scheme(token)) if "@" in token else token

    return _TOKEN.sub(one, text)


def mask_secrets(text: str) -> str:
    """``text`` with every URI password and secret option value replaced by ``***``."""
    if not text:
        return text
    if "@" in text:
        text = _mask_tokens(text)
    return _SECRET_OPTIONS.sub(lambda m: f"{m.group('key')}{m.group('q')}{MASK}", text)


class RedactingFilter(logging.Filter):
    """A handler filter: the record's message is formatted once and masked (arguments included)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed log call: keep what is there, masked
            message = f"{record.msg} {record.args}"
        masked = mask_secrets(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = mask_secrets(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True
