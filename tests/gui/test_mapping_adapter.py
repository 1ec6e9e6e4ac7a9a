"""The mapping panel's checks speak the profile problems' key paths, not their message text."""

from __future__ import annotations

from booking_desktop.gui import mapping_adapter as adapter


def spec(name: str, **fields) -> dict:
    return {"version": 1, "name": name, "vendor": "CM", "fields": fields, "rules": {}}


def test_a_field_is_told_its_own_problems_only():
    # regression: the field's name was looked for in the messages, and when none had it every other
    # field's problems were returned: the transform dialog of a good field could not be accepted
    s = spec("channel_feed", channel={"column": "Source"}, adults={"sum": ["Pax"]}, nights={"column": ""})
    assert adapter.spec_error(s, only_field="channel") == ""
    adults = adapter.spec_error(s, only_field="adults")
    assert "fields.adults.sum" in adults and "nights" not in adults
    whole = adapter.spec_error(s)
    assert "fields.adults.sum" in whole and "fields.nights.column" in whole


def test_a_field_named_in_another_fields_problem_is_not_told_it():
    s = spec("p", amount={"product": ["Price", "@nights"]})  # "@nights refers to a field ... not map"
    assert "@nights" in adapter.spec_error(s, only_field="amount")
    assert adapter.spec_error(s, only_field="nights") == ""


def test_a_problem_of_the_whole_profile_is_told_to_every_field():
    s = spec("p", amount={"product": ["Price", "@nights"]}, nights={"product": ["Rate", "@amount"]})
    for field in ("amount", "nights", "country"):
        assert "go round in a circle" in adapter.spec_error(s, only_field=field)


def test_problem_field_reads_the_key_path():
    from booking_desktop.errors import Problem

    def field_of(key: str | None) -> str | None:
        return adapter.problem_field(Problem(code="profile", message="m", field=key))

    assert field_of("fields.check_in.date_format") == "check_in"
    assert field_of("rules.adults") == "adults"
    assert field_of("fields") is None and field_of("name") is None and field_of(None) is None
