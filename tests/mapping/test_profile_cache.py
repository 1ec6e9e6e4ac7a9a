"""Parsed profiles kept by content (mapping/profile_cache.py): the same profiles, without PyYAML."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from booking_desktop.errors import ProfileError
from booking_desktop.mapping import MappingProfile, profile_cache
from booking_desktop.mapping.profile import parse_yaml

TEXT = """version: 1
name: acme
vendor: ACME
fields:
  booking_ref: {column: Ref}
  status: {column: State, map: {CNF: confirmed, "Yes": confirmed, No: cancelled}}
  amount: {column: Total}
"""


@pytest.fixture(autouse=True)
def _fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("BOOKING_DESKTOP_DATA_DIR", str(tmp_path / "data"))
    profile_cache.clear_memory()
    yield
    profile_cache.clear_memory()


def test_a_cached_profile_is_the_parsed_one_and_a_new_process_needs_no_yaml(tmp_path):
    path = tmp_path / "acme.yaml"
    path.write_text(TEXT, encoding="utf-8")
    first = MappingProfile.load(path)
    assert first == MappingProfile.from_dict(parse_yaml(TEXT, path), source=path)
    assert first.fields["status"]["map"] == {"CNF": "confirmed", "Yes": "confirmed", "No": "cancelled"}
    assert profile_cache.cache_file().is_file()
    script = (
        "import sys\n"
        "from booking_desktop.mapping import MappingProfile\n"
        f"p = MappingProfile.load({str(path)!r})\n"
        "print(p.to_dict() == " + repr(first.to_dict()) + ", 'yaml' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True False"


def test_a_changed_file_is_parsed_again_even_at_the_same_size(tmp_path):
    path = tmp_path / "acme.yaml"
    path.write_text(TEXT, encoding="utf-8")
    MappingProfile.load(path)
    path.write_text(TEXT.replace("ACME", "ACMX"), encoding="utf-8")
    profile_cache.clear_memory()
    assert MappingProfile.load(path).vendor == "ACMX"


def test_a_damaged_cache_is_ignored_and_rewritten(tmp_path):
    path = tmp_path / "acme.yaml"
    path.write_text(TEXT, encoding="utf-8")
    cache = profile_cache.cache_file()
    cache.parent.mkdir(parents=True)
    cache.write_text('{"version": 1, "entries": ', encoding="utf-8")
    assert MappingProfile.load(path).name == "acme"
    assert len(json.loads(cache.read_text(encoding="utf-8"))["entries"]) == 1


def test_data_json_would_change_is_not_kept(tmp_path):
    """A value map with numeric keys: JSON would give them back as text."""
    text = TEXT.replace('{CNF: confirmed, "Yes": confirmed, No: cancelled}', "{1: confirmed, 2: cancelled}")
    path = tmp_path / "codes.yaml"
    path.write_text(text, encoding="utf-8")
    first = MappingProfile.load(path)
    profile_cache.clear_memory()
    assert profile_cache.cached(text) == (False, None)
    assert MappingProfile.load(path) == first


def test_a_yaml_error_is_never_cached_and_keeps_its_message(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: [a\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(ProfileError, match=r"line 2, column 1: not valid YAML"):
            MappingProfile.load(path)
    assert profile_cache.cached("name: [a\n") == (False, None)
