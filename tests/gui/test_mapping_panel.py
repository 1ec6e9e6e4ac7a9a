"""The mapping panel, driven as an operator would: pick sources, date orders, value maps, save."""

from __future__ import annotations

import pytest
from gui_helpers import on_modal
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialogButtonBox

from booking_desktop.gui.mapping_panel import MappingPanel, SaveProfileDialog, TransformDialog, ValueMapDialog

pytestmark = pytest.mark.gui

CSV = (
    "Booking_ID,guest,guest_alt,arrival,departure,state,adults,price,cur\n"
    "B1,Ann Lee,ANN,03/04/2024,05/04/2024,Not_Canceled,2,100.50,EUR\n"
    "B2,Bo Chan,BO,04/05/2024,07/05/2024,Canceled,1,80,EUR\n"
    "B3,Cy Diaz,CY,05/06/2024,06/06/2024,Not_Canceled,3,120,EUR\n"
)


@pytest.fixture
def raw(tmp_path):
    from booking_desktop.readers import read_file

    p = tmp_path / "inntown.csv"
    p.write_text(CSV, encoding="utf-8")
    return read_file(p)


@pytest.fixture
def profile():
    from booking_desktop.mapping.profile import MappingProfile

    return MappingProfile.from_dict(
        {
            "version": 1,
            "name": "inntown",
            "vendor": "INNTOWN",
            "fields": {
                "booking_ref": {"column": "Booking_ID"},
                "customer_name": {"column": "guest"},
                "check_in": {"column": "arrival", "date_format": "%d/%m/%Y"},
                "check_out": {"column": "departure", "date_format": "%d/%m/%Y"},
                "status": {"column": "state"},
                "adults": {"column": "adults"},
                "amount": {"column": "price"},
                "currency": {"column": "cur"},
            },
        }
    )


@pytest.fixture
def panel(qtbot, raw, profile, tmp_path):
    w = MappingPanel(mappings_dir=tmp_path / "mappings", debounce_ms=50)
    qtbot.addWidget(w)
    w.resize(1000, 700)
    w.show()
    w.set_source(raw, profile)
    return w


def choose(qtbot, combo: QComboBox, text: str) -> None:
    """Open the combo's popup and click the item, as a user does."""
    idx = combo.findText(text)
    assert idx >= 0, f"{text!r} not offered in {[combo.itemText(i) for i in range(combo.count())]}"
    combo.showPopup()
    view = combo.view()
    qtbot.waitUntil(view.isVisible, timeout=10_000)
    view.scrollTo(view.model().index(idx, 0))
    rect = view.visualRect(view.model().index(idx, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: not view.isVisible(), timeout=10_000)


def test_changing_a_source_emits_the_profile_and_updates_the_preview(qtbot, panel):
    row = panel._rows["customer_name"]
    assert "Ann Lee" in row.preview.text()
    with qtbot.waitSignal(panel.profile_changed, timeout=10_000) as blocker:
        choose(qtbot, row.source, "guest_alt")
    profile = blocker.args[0]
    assert profile.fields["customer_name"] == {"column": "guest_alt"}
    assert profile.fields["booking_ref"] == {"column": "Booking_ID"}  # the rest is untouched
    assert "ANN" in row.preview.text() and "Ann Lee" not in row.preview.text()


def pick(combo: QComboBox, text: str) -> None:
    """What a click on an item of the open popup does (setCurrentIndex, then ``activated``), in one go:
    two picks in a row then always fall inside the debounce, however slowly the machine runs."""
    idx = combo.findText(text)
    assert idx >= 0, f"{text!r} not offered"
    combo.setCurrentIndex(idx)
    combo.activated.emit(idx)


def test_edits_are_debounced_into_one_signal(qtbot, raw, profile, tmp_path):
    w = MappingPanel(mappings_dir=tmp_path, debounce_ms=300)
    qtbot.addWidget(w)
    w.show()
    w.set_source(raw, profile)
    seen = []
    w.profile_changed.connect(seen.append)
    pick(w._rows["customer_name"].source, "guest_alt")
    pick(w._rows["property_name"].source, "guest")
    assert seen == []  # nothing yet: the operator may still be editing
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=10_000)
    w.flush()  # nothing is left pending: both edits went out in that one signal
    assert len(seen) == 1
    assert seen[0].fields["property_name"] == {"column": "guest"}
    assert seen[0].fields["customer_name"] == {"column": "guest_alt"}


def test_choosing_month_first_reinterprets_the_dates(qtbot, panel):
    row = panel._rows["check_in"]
    assert "2024-04-03" in row.preview.text()  # %d/%m/%Y from the profile
    with qtbot.waitSignal(panel.profile_changed, timeout=10_000) as blocker:
        choose(qtbot, row.date_choice, "month first")
    spec = blocker.args[0].fields["check_in"]
    assert spec.get("date_order") == "mdy" and "date_format" not in spec
    assert "2024-03-04" in row.preview.text()


def test_typing_a_date_format(qtbot, panel):
    row = panel._rows["check_out"]
    choose(qtbot, row.date_choice, "format…")
    assert row.date_format.isVisible()
    row.date_format.clear()
    with qtbot.waitSignal(panel.profile_changed, timeout=10_000) as blocker:
        qtbot.keyClicks(row.date_format, "%m/%d/%Y")
    assert blocker.args[0].fields["check_out"]["date_format"] == "%m/%d/%Y"
    assert "2024-05-04" in row.preview.text()


def test_value_map_for_status(qtbot, panel):
    row = panel._rows["status"]

    def fill(dlg):
        assert isinstance(dlg, ValueMapDialog)
        dlg.combo_for("Canceled").setCurrentText("cancelled")
        dlg.combo_for("Not_Canceled").setCurrentText("confirmed")
        dlg.accept()

    on_modal(fill)
    with qtbot.waitSignal(panel.profile_changed, timeout=10_000) as blocker:
        qtbot.mouseClick(row.value_map, Qt.MouseButton.LeftButton)
    assert blocker.args[0].fields["status"]["map"] == {"Canceled": "cancelled", "Not_Canceled": "confirmed"}
    assert row.preview.text().split("  ·  ") == ["confirmed", "cancelled", "confirmed"]
    assert row.value_map.text() == "Values (2)…"


def test_marking_a_field_optional_writes_a_rule(qtbot, panel):
    with qtbot.waitSignal(panel.profile_changed, timeout=10_000) as blocker:
        qtbot.mouseClick(panel._rows["customer_name"].optional, Qt.MouseButton.LeftButton)
    assert blocker.args[0].rules["customer_name"] == {"required": False}
    with qtbot.waitSignal(panel.profile_changed, timeout=10_000) as blocker:
        qtbot.mouseClick(panel._rows["customer_name"].optional, Qt.MouseButton.LeftButton)
    assert "customer_name" not in blocker.args[0].rules


def test_transform_editor_checks_the_spec_before_accepting(qtbot, panel):
    row = panel._rows["customer_name"]
    seen = {}

    def edit(dlg):
        assert isinstance(dlg, TransformDialog)
        ok = dlg.buttons.button(QDialogButtonBox.StandardButton.Ok)
        dlg.editor.setPlainText("{concat: [guest, nosuchkey_typo], sepp: ' '}")
        seen["bad_ok"] = ok.isEnabled()
        seen["bad_msg"] = dlg.error.text()
        dlg.editor.setPlainText("{concat: [guest, guest_alt], sep: ' / '}")
        seen["good_ok"] = ok.isEnabled()
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    on_modal(edit)
    with qtbot.waitSignal(panel.profile_changed, timeout=10_000) as blocker:
        qtbot.mouseClick(row.edit, Qt.MouseButton.LeftButton)
    assert seen["bad_ok"] is False and "sepp" in seen["bad_msg"]
    assert seen["good_ok"] is True
    assert blocker.args[0].fields["customer_name"] == {"concat": ["guest", "guest_alt"], "sep": " / "}
    assert "Ann Lee / ANN" in row.preview.text()
    assert row.source.currentText().startswith("ƒ concat")


def test_save_as_profile_writes_a_loadable_yaml(qtbot, panel, tmp_path):
    from booking_desktop.mapping.profile import MappingProfile

    choose(qtbot, panel._rows["customer_name"].source, "guest_alt")

    def name_it(dlg):
        assert isinstance(dlg, SaveProfileDialog)
        dlg.name_edit.clear()
        qtbot.keyClicks(dlg.name_edit, "inntown v2")
        qtbot.mouseClick(dlg.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)

    on_modal(name_it)
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    path = tmp_path / "mappings" / "inntown_v2.yaml"
    assert path.is_file()
    loaded = MappingProfile.load(path)
    assert loaded.name == "inntown v2" and loaded.vendor == "INNTOWN"
    assert loaded.fields["customer_name"] == {"column": "guest_alt"}
    assert loaded.signature.columns[:3] == ["Booking_ID", "guest", "guest_alt"]  # detectable next time
    assert "Saved" in panel.status_label.text()


def test_save_over_an_existing_profile_asks_first(qtbot, panel, tmp_path):
    target = tmp_path / "mappings" / "inntown.yaml"
    target.parent.mkdir(parents=True)
    target.write_text("keep me", encoding="utf-8")

    def name_it(dlg):
        qtbot.mouseClick(dlg.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
        on_modal(lambda box: box.reject())  # "Update profile?" -> No

    on_modal(name_it)
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert target.read_text(encoding="utf-8") == "keep me"


def test_suggestion_shows_confidence_reasons_and_ambiguous_dates(qtbot, tmp_path):
    from booking_desktop.mapping import suggest_mapping
    from booking_desktop.readers import read_file

    p = tmp_path / "mystery.csv"
    p.write_text(
        "Reservation ID,Guest Name,Arrival,Departure,Adults,Total,Currency\n"
        "R1,Ann Lee,03/04/2024,05/04/2024,2,100.50,EUR\n"
        "R2,Bo Chan,04/05/2024,06/05/2024,1,80.00,EUR\n",
        encoding="utf-8",
    )
    raw = read_file(p)
    suggestion = suggest_mapping(raw)
    w = MappingPanel(mappings_dir=tmp_path, debounce_ms=50)
    qtbot.addWidget(w)
    w.show()
    w.set_source(raw, suggestion=suggestion)
    ref = w._rows["booking_ref"]
    assert ref.source.currentText() == "Reservation ID"
    expected = round(suggestion.fields["booking_ref"].confidence * 100)
    assert ref.confidence.value() == expected > 0
    assert suggestion.fields["booking_ref"].reasons[0] in ref.confidence.toolTip()
    assert w.name_edit.text() == "mystery"
    ambiguous = [f for f in ("check_in", "check_out") if suggestion.fields[f].ambiguous]
    for f in ambiguous:
        assert "Ambiguous" in w._rows[f].date_choice.toolTip()
        assert w._rows[f].label.autoFillBackground()


def test_header_drift_is_shown_at_the_top(qtbot, panel, raw, profile):
    assert not panel.drift_label.isVisible()
    panel.set_source(raw, profile, drift={"added": ["guest_alt"], "missing": ["email"], "renamed": {"cost": "price"}})
    assert panel.drift_label.isVisible()
    text = panel.drift_label.text()
    assert "cost → price" in text and "email" in text and "guest_alt" in text


def test_a_column_the_file_lacks_is_flagged(qtbot, raw, tmp_path):
    from booking_desktop.mapping.profile import MappingProfile

    prof = MappingProfile.from_dict(
        {"version": 1, "name": "x", "vendor": "X", "fields": {"booking_ref": {"column": "Ref_No"}}}
    )
    w = MappingPanel(mappings_dir=tmp_path)
    qtbot.addWidget(w)
    w.set_source(raw, prof)
    assert w._rows["booking_ref"].source.currentText() == "Ref_No (missing in file)"


def test_unmapping_a_field(qtbot, panel):
    with qtbot.waitSignal(panel.profile_changed, timeout=10_000) as blocker:
        choose(qtbot, panel._rows["amount"].source, "(not mapped)")
    assert "amount" not in blocker.args[0].fields
    assert panel._rows["amount"].preview.text() == ""


def test_drift_is_computed_from_the_profile_signature(qtbot, raw, tmp_path):
    from booking_desktop.mapping.profile import MappingProfile

    prof = MappingProfile.from_dict(
        {
            "version": 1,
            "name": "inntown",
            "vendor": "INNTOWN",
            "signature": {"columns": ["Booking_ID", "guest_name", "arrival", "departure", "state", "email"]},
            "fields": {"booking_ref": {"column": "Booking_ID"}},
        }
    )
    w = MappingPanel(mappings_dir=tmp_path)
    qtbot.addWidget(w)
    w.show()
    w.set_source(raw, prof)
    assert w.drift_label.isVisible()
    assert "inntown" in w.drift_label.text() and "email" in w.drift_label.text()


@pytest.mark.datasets
def test_real_export_shows_its_profile_and_previews(qtbot, datasets_dir, tmp_path):
    from booking_desktop.pipeline import run_to_end

    path = datasets_dir / "hotel_reservations.csv.gz"
    if not path.exists():
        pytest.skip(f"{path.name} is not in {datasets_dir}")
    result = run_to_end(path)
    w = MappingPanel(mappings_dir=tmp_path)
    qtbot.addWidget(w)
    w.set_source(result.raw, result.profile, getattr(result, "suggestion", None))
    first = result.text["booking_ref"].iloc[0]
    assert w._rows["booking_ref"].preview.text().split("  ·  ")[0] == first
    assert w.error_label.text() == ""
    with qtbot.waitSignal(w.profile_changed, timeout=10_000) as blocker:
        qtbot.mouseClick(w._rows["customer_name"].optional, Qt.MouseButton.LeftButton)
    assert blocker.args[0].fields == result.profile.fields  # only the rule changed


def test_cancelling_the_transform_editor_keeps_the_mapping(qtbot, panel):
    row = panel._rows["customer_name"]
    seen = []
    panel.profile_changed.connect(seen.append)
    on_modal(lambda dlg: (seen.append(type(dlg).__name__), dlg.reject()))
    choose(qtbot, row.source, "Transform…")
    panel.flush()  # an edit still waiting for the debounce would be emitted now
    assert seen == ["TransformDialog"]  # opened, cancelled, nothing emitted
    assert row.source.currentText() == "guest"
    assert panel.spec()["fields"]["customer_name"] == {"column": "guest"}


def _write_csv(path, raw_table) -> None:
    raw_table.frame.to_csv(path, index=False)


def test_each_suggestion_says_why_and_a_doubtful_one_is_marked(qtbot, tmp_path):
    """Issue 9: every row says why its source was chosen (header, content, profile) and how
    sure the suggester is; a suggestion with evidence against it is marked (⚠, warning
    colour) so that a wrong one is easy to see -- in a real window."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "mapping"))
    from vendor_files import airbnb

    from booking_desktop.gui import theme
    from booking_desktop.mapping import suggest_mapping
    from booking_desktop.readers import read_file

    p = tmp_path / "reservations.csv"
    _write_csv(p, airbnb())
    raw = read_file(p)
    suggestion = suggest_mapping(raw)
    w = MappingPanel(mappings_dir=tmp_path, debounce_ms=50)
    qtbot.addWidget(w)
    w.resize(1300, 760)
    w.show()
    qtbot.waitExposed(w)
    w.set_source(raw, suggestion=suggestion)

    ref = w._rows["booking_ref"]
    assert ref.source.currentText() == "Confirmation code"
    assert ref.why.isVisible() and ref.why.property("summary") == "header 'Confirmation code' = 'confirmation code'"
    assert ref.why.text().startswith("header 'Confirmation")
    assert "from the header + content" in ref.why.toolTip() and "100%" in ref.why.toolTip()
    assert not ref.confidence.doubtful and "⚠" not in ref.confidence.text()

    amount = w._rows["amount"]  # Airbnb's Earnings: the host's payout, used for want of a total
    assert amount.source.currentText() == "Earnings"
    assert amount.confidence.doubtful and amount.confidence.text().startswith("⚠")
    assert amount.why.property("summary").startswith("⚠ 'Earnings' (earnings) may be net of fees")
    assert amount.why.text().startswith("⚠ 'Earnings'")
    assert "Against it:" in amount.confidence.toolTip()
    assert amount.label.autoFillBackground()
    assert amount.label.palette().color(amount.label.backgroundRole()) == theme.warning_color(w.palette())
    assert not ref.label.autoFillBackground()

    nights = w._rows["nights"]  # the operator unmaps a field: its reasons no longer apply
    choose(qtbot, nights.source, "(not mapped)")
    qtbot.waitUntil(lambda: nights.why.property("summary") == "changed by hand", timeout=5_000)
    assert nights.confidence.text() == "—"

    shot = tmp_path / "mapping_panel_doubtful.png"
    assert w.grab().save(str(shot)) and shot.stat().st_size > 0


def test_a_profile_mapping_says_it_comes_from_the_profile(qtbot, panel):
    row = panel._rows["booking_ref"]
    assert row.why.property("summary") == "profile 'inntown'"
    assert not panel._rows["children"].why.property("summary")  # not in the profile: nothing to say
