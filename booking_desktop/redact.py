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
# scheme://user:password@host — after a scheme (or a typo of one: "mongodb:/", "mongodb//", "mongo://") the
# user information runs to the *last* "@" of the token, since an unencoded password may hold "@", ":" or "/".
_WITH_SCHEME = re.compile(r"(?P<pre>[A-Za-z][A-Za-z0-9+.\-]*:?/+)(?P<ui>[^\s'\"<>]*)@(?P<host>[^\s'\"<>@]*)")
# user:password@host without a scheme (user names are not secret and are kept)
_BARE = re.compile(r"(?P<user>[^\s:/@'\"()<>\[\]{},;=]+):(?P<pw>[^\s'\"<>/][^\s'\"<>]*)@(?P<host>[^\s'\"<>@]*)")
_SECRET_OPTIONS = re.compile(
    r"(?P<key>(?:password|pwd|passwd|tlsCertificateKeyFilePassword|sslPEMKeyPassword"
    r"|sslClientCertificateKeyPassword|authMechanismProperties)['\"]?\s*[=:]\s*)(?P<q>['\"]?)[^&\s'\",}]*",
    re.I,
)


def _with_scheme(m: re.Match[str]) -> str:
    user, colon, _ = m.group("ui").partition(":")
    if not colon:
        return m.group(0)
    return f"{m.group('pre')}{user}:{MASK}@{m.group('host')}"


def _bare(m: re.Match[str]) -> str:
    return f"{m.group('user')}:{MASK}@{m.group('host')}"


def mask_secrets(text: str) -> str:
    """``text`` with every URI password and secret option value replaced by ``***``."""
    if not text:
        return text
    if "@" in text:
        text = _BARE.sub(_bare, _WITH_SCHEME.sub(_with_scheme, text))
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
