"""Choosing a saved profile in the mapping panel, in the real window: the grid is remapped with it
(one undo step), as the CLI maps the file with ``--profile``."""

from __future__ import annotations

import pytest
from gui_helpers import VENDOR_PROFILE_YAML, choose_item, open_and_wait
from PySide6.QtCore import Qt

from booking_desktop.pipeline import run_to_end

pytestmark = pytest.mark.gui
CTRL = Qt.KeyboardModifier.ControlModifier

# the vendor's profile, but its signature names another export's columns: detection cannot find it
ALT_PROFILE = (
    VENDOR_PROFILE_YAML.replace("name: gui_test_vendor", "name: acme_alt")
    .replace("min_match: 0.9", "min_match: 1.0")
    .replace("columns: [booking_ref, status,", "columns: [Ref, State,")
    .replace("customer_name: {column: guest_name}", "customer_name: {concat: [guest_name, hotel], sep: ' @ '}")
)


def column(w, field: str) -> list[str | None]:
    m = w.model
    c = m.fields.index(field)
    return [m.data(m.index(r, c)) for r in range(m.rowCount())]


def test_a_saved_profile_chosen_in_the_panel_remaps_the_grid_and_undoes_in_one_step(
    qtbot, make_window, bookings_csv, tmp_path
):
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "acme_alt.yaml").write_text(ALT_PROFILE, encoding="utf-8")
    w = make_window(profiles_dir=profiles)
    open_and_wait(qtbot, w, bookings_csv)
    assert w.session.result.profile is None  # detection found nothing: a suggested mapping
    panel = w.mapping_panel
    w.page.mapping_dock.raise_()
    qtbot.waitUntil(lambda: panel.isVisible() and panel.profile_box.picker.count() > 1, timeout=10_000)
    before = column(w, "customer_name")
    picker = panel.profile_box.picker
    assert any(picker.itemText(i).startswith("hotel_bookings") for i in range(picker.count()))  # shipped ones too

    with qtbot.waitSignal(w.model.modelReset, timeout=30_000):
        choose_item(qtbot, picker, "acme_alt — ACME")
    qtbot.waitUntil(lambda: not w.files.is_remapping, timeout=30_000)

    expected = run_to_end(bookings_csv, profile=profiles / "acme_alt.yaml")  # the CLI's --profile
    s = w.session
    assert s.result.profile.name == "acme_alt" and s.result.vendor == "ACME"
    want = expected.text["customer_name"].tolist()
    assert want[0] == "Ann Smith @ Hotel A"
    assert column(w, "customer_name") == want
    assert column(w, "vendor") == ["ACME"] * len(want)
    assert (s.result.invalid, s.result.problems.counts_by_code()) == (
        expected.invalid,
        expected.problems.counts_by_code(),
    )
    assert picker.currentText().startswith("acme_alt")
    assert s.undo_label == "Change mapping"

    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    w.view.setFocus()
    qtbot.keyClick(w.view, Qt.Key.Key_Z, CTRL)
    assert w.session.result.profile is None
    assert column(w, "customer_name") == before
    assert not w.session.can_undo


def test_a_broken_profile_file_is_named_and_hides_no_other(qtbot, make_window, bookings_csv, tmp_path):
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "acme_alt.yaml").write_text(ALT_PROFILE, encoding="utf-8")
    (profiles / "broken.yaml").write_text("version: 1\nname: broken\nfields: [not, a, mapping]\n", encoding="utf-8")
    w = make_window(profiles_dir=profiles)
    open_and_wait(qtbot, w, bookings_csv)
    w.page.mapping_dock.raise_()
    picker = w.mapping_panel.profile_box.picker
    qtbot.waitUntil(lambda: picker.count() > 1, timeout=10_000)
    texts = [picker.itemText(i) for i in range(picker.count())]
    assert "acme_alt — ACME" in texts and not any(t.startswith("broken") for t in texts)
    assert "broken.yaml" in picker.toolTip()
