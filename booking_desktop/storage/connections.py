"""Named connection profiles; their secrets live in the OS keyring, never in files.

Profiles (name, URI *without* secrets, database, auth source, TLS, CA file,
user name) are kept in ``connections.json`` in the user's config directory
(``platformdirs.user_config_dir("booking-desktop")``; env
``BOOKING_DESKTOP_CONFIG_DIR`` overrides it).  Passwords go through ``keyring``
(service ``booking-desktop``, user = profile name).

A keyring backend that is not a real OS secret store is *insecure* (keyrings.alt
plaintext file), *prompting* (keyrings.alt encrypted file: asks for a master
password on the terminal) or *unavailable* (the ``fail``/``null`` backends on a
headless machine).  Storing is refused on those unless the caller explicitly
allows it; with ``save_password=False`` the password is asked every time.
There is no plaintext fallback of our own.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from urllib.parse import quote, unquote

import keyring
import keyring.errors
from keyring.backends.chainer import ChainerBackend

from booking_desktop import paths
from booking_desktop.redact import mask_secrets
from booking_desktop.storage.client import DEFAULT_DB, ConnectionTarget

SERVICE = "booking-desktop"
ENV_URI = "BOOKING_MONGODB_URI"
ENV_CONFIG = paths.ENV_CONFIG
FILE_NAME = "connections.json"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$")
_SCHEME_RE = re.compile(r"^mongodb(?:\+srv)?://", re.I)
_SECRET_PARAMS = re.compile(
    r"(?P<key>(?:password|tlsCertificateKeyFilePassword|sslPEMKeyPassword|authMechanismProperties)=)[^&]*", re.I
)


class ConnectionProfileError(Exception):
    """A profile or secret problem; ``str()`` is one line without secrets."""


class InsecureKeyringError(ConnectionProfileError):
    pass


def _parse_userinfo(uri: str) -> tuple[str, str, str | None, str] | None:
    """(scheme, user, password, rest) split the way pymongo does (first '/', then the last '@')."""
    m = _SCHEME_RE.match(uri)
    if not m:
        return None
    scheme = m.group(0)
    host_part, slash, path = uri[len(scheme) :].partition("/")
    if "@" not in host_part:
        return None
    userinfo, _, hosts = host_part.rpartition("@")
    user, colon, pw = userinfo.partition(":")
    return scheme, user, (pw if colon else None), f"{hosts}{slash}{path}"


def mask_uri(uri: str) -> str:
    """The URI with any password (userinfo or query options) replaced by ``***`` — also in a URI
    with a mistyped scheme (see :func:`booking_desktop.redact.mask_secrets`)."""
    return mask_secrets(uri)


def split_secret(uri: str) -> tuple[str, str | None, str | None]:
    """(URI without user and password, user name, password) — the user name goes to the profile."""
    parts = _parse_userinfo(uri)
    if not parts:
        return uri, None, None
    scheme, user, pw, rest = parts
    return f"{scheme}{rest}", unquote(user) or None, (unquote(pw) if pw is not None else None)


def config_dir() -> Path:
    return paths.config_dir()


# -- keyring backend classification ---------------------------------------------


@dataclass(frozen=True)
class KeyringStatus:
    backend: str
    usable: bool  # can store at all
    secure: bool  # an OS secret store that does not prompt on the terminal
    reason: str


def _classify(backend: object) -> tuple[bool, bool, str]:
    cls = type(backend)
    mod, name = cls.__module__, cls.__name__
    if mod.startswith("keyring.backends.fail") or mod.startswith("keyring.backends.null"):
        return False, False, "no keyring backend is available (no Secret Service, Keychain or Credential Manager)"
    if mod.startswith("keyrings.alt"):
        if "Encrypted" in name:
            return (
                True,
                False,
                f"{name} stores passwords in a file encrypted with a master password asked on the terminal",
            )
        return True, False, f"{name} stores passwords in a file without real protection"
    if isinstance(backend, ChainerBackend):
        subs = list(backend.backends)
        if not subs:
            return False, False, "no keyring backend is available"
        # the chain stores in its first backend: that one decides
        usable, secure, reason = _classify(subs[0])
        return usable, secure, f"the keyring chain stores in {type(subs[0]).__name__}: {reason}"
    return True, True, f"{mod}.{name}"


def keyring_status() -> KeyringStatus:
    backend = keyring.get_keyring()
    usable, secure, reason = _classify(backend)
    return KeyringStatus(f"{type(backend).__module__}.{type(backend).__name__}", usable, secure, reason)


# -- profiles ----------------------------------------------------------------------


@dataclass
class ConnectionProfile:
    name: str
    uri: str  # never contains a password
    db_name: str = DEFAULT_DB
    auth_source: str | None = None
    tls: bool | None = None
    ca_file: str | None = None
    username: str | None = None
    save_password: bool = True  # False: ask every time

    @property
    def masked_uri(self) -> str:
        return mask_uri(self.uri)


class ConnectionStore:
    """Profiles in ``connections.json`` + passwords in the keyring."""

    def __init__(self, directory: Path | None = None):
        self.directory = Path(directory) if directory else config_dir()
        self.path = self.directory / FILE_NAME

    def _data(self) -> dict:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise ConnectionProfileError(
                f"{self.path}: cannot read the connection list ({type(exc).__name__})"
            ) from None

    def _load(self) -> dict[str, ConnectionProfile]:
        data = self._data()
        known = {f.name for f in fields(ConnectionProfile)}
        return {
            p["name"]: ConnectionProfile(**{k: v for k, v in p.items() if k in known})
            for p in data.get("connections", [])
        }

    def default_name(self) -> str | None:
        """The connection used when none is named (the first one added, unless changed)."""
        name = self._data().get("default")
        return name if name in self._load() else None

    def set_default(self, name: str | None) -> None:
        self._save(self._load(), default=name)

    def _save(self, profiles: dict[str, ConnectionProfile], default: str | bool | None = False) -> None:
        if default is False:
            default = self._data().get("default")
        if default not in profiles:
            default = next(iter(profiles), None)
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        data = {"default": default, "connections": [asdict(p) for p in profiles.values()]}
        tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
        os.chmod(tmp, 0o600)
        tmp.replace(self.path)

    def list(self) -> list[ConnectionProfile]:
        return sorted(self._load().values(), key=lambda p: p.name.lower())

    def get(self, name: str) -> ConnectionProfile:
        try:
            return self._load()[name]
        except KeyError:
            raise ConnectionProfileError(
                f"no connection named {name!r} (see: booking-desktop-cli connections list)"
            ) from None

    def add(
        self,
        name: str,
        uri: str,
        *,
        password: str | None = None,
        db_name: str = DEFAULT_DB,
        auth_source: str | None = None,
        tls: bool | None = None,
        ca_file: str | None = None,
        save_password: bool = True,
        allow_insecure_keyring: bool = False,
    ) -> ConnectionProfile:
        """Save a profile; a password in ``uri`` or ``password`` goes to the keyring (or nowhere)."""
        if not _NAME_RE.match(name):
            raise ConnectionProfileError(f"invalid connection name {name!r}: letters, digits, space, '_', '.', '-'")
        if not uri.lower().startswith(("mongodb://", "mongodb+srv://")):
            raise ConnectionProfileError(not_a_uri(uri))
        clean, user, uri_pw = split_secret(uri)
        secret = password if password is not None else uri_pw
        if _SECRET_PARAMS.search(clean):
            raise ConnectionProfileError("put secrets in the password prompt, not in URI options")
        profile = ConnectionProfile(name, clean, db_name, auth_source, tls, ca_file, user, save_password)
        if secret and save_password:
            self._store_secret(name, secret, allow_insecure_keyring)
        profiles = self._load()
        profiles[name] = profile
        self._save(profiles)
        return profile

    def _store_secret(self, name: str, secret: str, allow_insecure: bool) -> None:
        st = keyring_status()
        if not st.usable:
            raise InsecureKeyringError(
                f"cannot store the password: {st.reason}; use --no-save-password to be asked for it each time"
            )
        if not st.secure and not allow_insecure:
            raise InsecureKeyringError(
                f"the keyring backend is not secure ({st.reason}); use --allow-insecure-keyring to store the "
                "password there anyway, or --no-save-password to be asked for it each time"
            )
        try:
            keyring.set_password(SERVICE, name, secret)
        except keyring.errors.KeyringError as exc:
            raise ConnectionProfileError(f"the keyring refused the password ({type(exc).__name__})") from None

    def password(self, name: str) -> str | None:
        try:
            return keyring.get_password(SERVICE, name)
        except keyring.errors.KeyringError:
            return None

    def remove(self, name: str) -> None:
        profiles = self._load()
        if name not in profiles:
            raise ConnectionProfileError(f"no connection named {name!r}")
        del profiles[name]
        self._save(profiles)
        with contextlib.suppress(keyring.errors.KeyringError):  # nothing stored, or no backend
            keyring.delete_password(SERVICE, name)

    def target(
        self, name: str, prompt: Callable[[str], str] | None = None, db_name: str | None = None
    ) -> ConnectionTarget:
        p = self.get(name)
        pw = self.password(name) if p.save_password else None
        if pw is None and p.username and prompt is not None:
            pw = prompt(f"Password for {p.username} on {p.masked_uri}: ")
        return ConnectionTarget(
            uri=p.uri,
            db_name=db_name or p.db_name,
            label=p.name,
            username=p.username,
            password=pw,
            auth_source=p.auth_source,
            tls=p.tls,
            ca_file=p.ca_file,
        )


def not_a_uri(uri: str) -> str:
    return f"not a MongoDB URI: {mask_uri(uri)!r} (expected mongodb://host or mongodb+srv://host)"


def target_from_uri(uri: str, db_name: str | None = None, label: str | None = None) -> ConnectionTarget:
    """A target for a URI given on the command line or in ``BOOKING_MONGODB_URI`` (password kept apart).

    A URI with a mistyped scheme is refused here, in one line without its password (the driver's
    own error would quote it whole)."""
    if not _SCHEME_RE.match(uri):
        raise ConnectionProfileError(not_a_uri(uri))
    clean, user, pw = split_secret(uri)
    return ConnectionTarget(
        uri=clean, db_name=db_name or DEFAULT_DB, label=label or mask_uri(clean), username=user, password=pw
    )


def quote_userinfo(value: str) -> str:
    return quote(value, safe="")


def choose_target(
    *,
    uri: str | None = None,
    connection: str | None = None,
    db_name: str | None = None,
    prompt: Callable[[str], str] | None = None,
    store: ConnectionStore | None = None,
    local: Callable[[str | None], ConnectionTarget] | None = None,
) -> ConnectionTarget:
    """Where to connect: ``uri`` > ``connection`` > ``BOOKING_MONGODB_URI`` > the default profile > local database."""
    if uri:
        return target_from_uri(uri, db_name)
    store = store or ConnectionStore()
    if connection:
        return store.target(connection, prompt, db_name)
    env = os.environ.get(ENV_URI)
    if env:
        return target_from_uri(env, db_name, label=f"{ENV_URI} ({mask_uri(split_secret(env)[0])})")
    default = store.default_name()
    if default:
        return store.target(default, prompt, db_name)
    if local is None:
        from booking_desktop.storage.localdb import LocalDatabase

        return LocalDatabase().target(db_name)
    return local(db_name)
