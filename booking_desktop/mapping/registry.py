"""Where profiles live and which one fits a file.

Shipped profiles are package data (``booking_desktop/resources/mappings``); an operator's
own profiles are in ``<user data dir>/booking-desktop/mappings`` and override
a shipped profile of the same name (so a vendor's changed export can be fixed
locally without touching the installation).  One broken profile file never
hides the others: :func:`scan_profiles` returns the errors beside the good ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from booking_desktop import paths
from booking_desktop.errors import Problem, ProfileError
from booking_desktop.mapping.drift import ProfileMatch, match_profile
from booking_desktop.mapping.profile import MappingProfile

PROFILE_SUFFIXES = (".yaml", ".yml")
ENV_USER_DIR = paths.ENV_PROFILES  # overrides the user profile folder (tests, portable installs)


def shipped_profiles_dir() -> Path:
    """The profiles shipped with the program (package data: source tree, wheel or frozen bundle)."""
    return paths.shipped_profiles_dir()


def user_profiles_dir() -> Path:
    return paths.user_profiles_dir()


def default_profile_dirs() -> list[Path]:
    """Shipped first, user second (later folders override earlier ones by name)."""
    return [shipped_profiles_dir(), user_profiles_dir()]


def _dirs(dirs: Path | str | Iterable[Path | str] | None) -> list[Path]:
    if dirs is None:
        return default_profile_dirs()
    if isinstance(dirs, str | Path):
        return [Path(dirs)]
    return [Path(d) for d in dirs if d is not None]


@dataclass
class ProfileScan:
    profiles: list[MappingProfile] = field(default_factory=list)
    errors: list[ProfileError] = field(default_factory=list)

    def problems(self) -> list[Problem]:
        return [e.problem for e in self.errors]


def scan_profiles(dirs: Path | str | Iterable[Path | str] | None = None) -> ProfileScan:
    """Load every profile in ``dirs``; a later folder's profile replaces an earlier one of
    the same name.  Unreadable files are returned as errors, not raised."""
    from booking_desktop.mapping import profile_cache

    by_name: dict[str, MappingProfile] = {}
    errors: list[ProfileError] = []
    with profile_cache.batch():
        for d in _dirs(dirs):
            if not d.is_dir():
                continue
            for path in sorted(p for p in d.iterdir() if p.suffix.lower() in PROFILE_SUFFIXES and p.is_file()):
                try:
                    profile = MappingProfile.load(path)
                except ProfileError as exc:
                    errors.append(exc)
                    continue
                by_name[profile.name] = profile
    return ProfileScan(sorted(by_name.values(), key=lambda p: p.name), errors)


def list_profiles(dirs: Path | str | Iterable[Path | str] | None = None) -> list[MappingProfile]:
    """Valid profiles by name (see :func:`scan_profiles` for the broken ones)."""
    return scan_profiles(dirs).profiles


def rank_profiles(columns: Sequence[str], profiles: Iterable[MappingProfile]) -> list[ProfileMatch]:
    """Every profile's match with ``columns``, best first: the highest share of the signature
    present, then the most specific signature (more columns), then the fewest unknown columns."""
    matches = [match_profile(columns, p) for p in profiles]
    return sorted(
        matches,
        key=lambda m: (-m.score, -len(m.profile.signature_columns()) if m.profile else 0, len(m.added)),
    )


def find_profile(
    columns: Sequence[str],
    dirs: Path | str | Iterable[Path | str] | None = None,
    profiles: Iterable[MappingProfile] | None = None,
) -> ProfileMatch | None:
    """The best profile for a header, or None when none reaches its ``min_match``."""
    candidates = list(profiles) if profiles is not None else list_profiles(dirs)
    for m in rank_profiles(columns, candidates):
        if m.accepted:
            return m
    return None


def load_profile(name_or_path: str | Path, dirs: Path | str | Iterable[Path | str] | None = None) -> MappingProfile:
    """A profile by file path, or by name from the profile folders (user overrides shipped)."""
    p = Path(name_or_path)
    if p.suffix.lower() in PROFILE_SUFFIXES or p.is_file() or len(p.parts) > 1:
        return MappingProfile.load(p)
    name = str(name_or_path)
    scan = scan_profiles(dirs)
    for profile in scan.profiles:  # already resolved: a user profile replaces a shipped one
        if profile.name == name:
            return profile
    for d in reversed(_dirs(dirs)):  # a file of that stem that failed to load: say why
        for suffix in PROFILE_SUFFIXES:
            if (d / f"{name}{suffix}").is_file():
                return MappingProfile.load(d / f"{name}{suffix}")
    known = ", ".join(p.name for p in scan.profiles) or "none"
    searched = ", ".join(str(d) for d in _dirs(dirs))
    raise ProfileError(
        Problem(code="profile", message=f"no profile named {name!r} in {searched} (known profiles: {known})")
    )
