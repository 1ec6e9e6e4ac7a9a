"""A crash after editing a suggested mapping that has no vendor yet loses nothing.

Regression: the mapping panel applies such a mapping (the vendor is asked before the commit), the
journal records it without a vendor, and replaying the journal refused it ("vendor: missing").
"""

from __future__ import annotations

import dataclasses

from booking_desktop.generators import drive
from booking_desktop.session.journal import Journal
from booking_desktop.session.loading import load_session

CSV = "booking_ref,guest_name,check_in,check_out,total,currency\nB1,Ann,2024-05-01,2024-05-03,10.00,EUR\n"


def test_a_vendorless_mapping_change_and_a_later_edit_are_restored(tmp_path):
    f = tmp_path / "b.csv"
    f.write_text(CSV, encoding="utf-8")
    (tmp_path / "no_profiles").mkdir()
    s = drive(load_session(f, profiles_dir=tmp_path / "no_profiles", journal_dir=tmp_path / "j")).session
    draft = s.result.suggestion.to_profile(name="b")
    assert draft.vendor == ""
    s.remap(dataclasses.replace(draft, fields={**draft.fields, "property_name": {"constant": "Casa"}}))
    s.set_cell(0, "customer_name", "Bo")
    assert s.journal is not None

    again = drive(load_session(f, profiles_dir=tmp_path / "no_profiles", journal_dir=tmp_path / "j2")).session
    assert again.replay(Journal.open_existing(s.journal.path).commands()) == 2
    assert again.text["property_name"].tolist() == ["Casa"]
    assert again.value(0, "customer_name") == "Bo"
    assert again.result.profile.vendor == "" and again.needs_vendor
