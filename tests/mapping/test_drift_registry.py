"""Header drift and picking the profile that fits a file."""

from __future__ import annotations

import pytest

from booking_desktop.errors import ProfileError
from booking_desktop.mapping import MappingProfile, find_profile, list_profiles, load_profile, match_profile
from booking_desktop.mapping.registry import scan_profiles

SIG = ["hotel", "arrival_date_year", "arrival_date_month", "adults", "adr"]


def prof(name="hb", columns=SIG, min_match=0.8, **kw):
    return MappingProfile.from_dict(
        {
            "name": name,
            "vendor": name.upper(),
            "signature": {"columns": list(columns), "min_match": min_match},
            "fields": kw.get("fields", {"booking_ref": {"column": columns[0]}}),
        }
    )


def test_exact_header_has_no_drift():
    m = match_profile(list(SIG), prof())
    assert m.score == 1.0 and m.exact and m.accepted
    assert m.drift_problems() == [] and m.problems() == []


def test_added_missing_and_renamed_columns():
    cols = ["hotel", "arrival_year", "arrival_date_month", "adults", "adr", "babies"]
    m = match_profile(cols, prof())
    assert m.missing == ["arrival_date_year"]
    assert m.added == ["arrival_year", "babies"]
    assert [(o, n) for o, n, _ in m.renamed] == [("arrival_date_year", "arrival_year")]
    assert m.renamed[0][2] >= 75
    assert m.score == pytest.approx(0.8) and m.accepted
    (p,) = m.drift_problems()
    assert m.problems() == []  # apply_mapping reports the drift, once
    assert p.code == "header_drift" and p.severity == "warning"
    assert "'arrival_date_year' -> 'arrival_year'" in p.message and "new 'babies'" in p.message


def test_unrelated_columns_are_not_called_renames():
    m = match_profile(["hotel", "adults", "adr", "arrival_date_month", "email"], prof())
    assert m.missing == ["arrival_date_year"] and m.renamed == []


def test_padding_case_and_separators_do_not_count_as_drift():
    m = match_profile([" Hotel ", "ARRIVAL DATE YEAR", "arrival-date-month", "adults", "adr"], prof())
    assert m.exact and m.score == 1.0


def test_without_signature_the_fields_columns_are_the_signature_and_extra_columns_are_fine():
    p = MappingProfile.from_dict({"name": "x", "vendor": "X", "fields": {"booking_ref": {"column": "Ref"}}})
    m = match_profile(["Ref", "Other"], p)
    assert m.exact and m.added == []


def test_below_min_match_is_not_accepted():
    m = match_profile(["hotel", "adults", "something"], prof())
    assert m.score == pytest.approx(0.4) and not m.accepted


def write(dirpath, p: MappingProfile, stem=None):
    dirpath.mkdir(parents=True, exist_ok=True)
    return p.save(dirpath / f"{stem or p.name}.yaml")


def test_find_profile_picks_the_best_accepted_profile(tmp_path):
    write(tmp_path, prof("hb"))
    write(tmp_path, prof("inn", ["Booking_ID", "no_of_adults", "arrival_year", "avg_price_per_room"]))
    m = find_profile(["Booking_ID", "no_of_adults", "arrival_year", "avg_price_per_room", "x"], dirs=[tmp_path])
    assert m is not None and m.profile.name == "inn"
    assert find_profile(["totally", "different"], dirs=[tmp_path]) is None


def test_more_specific_signature_wins_a_tie(tmp_path):
    write(tmp_path, prof("short", ["a", "b"]))
    write(tmp_path, prof("long", ["a", "b", "c"]))
    m = find_profile(["a", "b", "c"], dirs=[tmp_path])
    assert m.profile.name == "long"


def test_user_folder_overrides_shipped_profile_by_name(tmp_path):
    shipped, user = tmp_path / "shipped", tmp_path / "user"
    write(shipped, prof("hb"))
    changed = prof("hb", columns=["hotel", "arrival_year", "arrival_date_month", "adults", "adr"])
    write(user, changed, stem="my_hb")
    (found,) = list_profiles([shipped, user])
    assert found.signature.columns[1] == "arrival_year"
    assert load_profile("hb", dirs=[shipped, user]).signature.columns[1] == "arrival_year"


def test_broken_profile_does_not_hide_the_others(tmp_path):
    write(tmp_path, prof("hb"))
    (tmp_path / "broken.yaml").write_text("name: [", encoding="utf-8")
    scan = scan_profiles([tmp_path])
    assert [p.name for p in scan.profiles] == ["hb"]
    assert len(scan.errors) == 1 and "broken.yaml" in str(scan.errors[0])


def test_load_profile_by_path_and_unknown_name(tmp_path):
    path = write(tmp_path, prof("hb"))
    assert load_profile(path).name == "hb"
    assert load_profile(str(path)).name == "hb"
    with pytest.raises(ProfileError, match=r"no profile named 'nope'.*known profiles: hb"):
        load_profile("nope", dirs=[tmp_path])


def test_user_dir_can_be_redirected_by_environment(tmp_path, monkeypatch):
    from booking_desktop.mapping.registry import default_profile_dirs

    monkeypatch.setenv("BOOKING_DESKTOP_PROFILES", str(tmp_path / "mine"))
    dirs = default_profile_dirs()
    assert dirs[-1] == tmp_path / "mine"
    assert (dirs[0] / "hotel_reservations.yaml").is_file()
