"""Every bundled sample opens in the window: profile detected (or a mapping suggested), errors shown, fixable."""

from __future__ import annotations

import pytest
from gui_helpers import open_and_wait
from PySide6.QtCore import Qt

pytestmark = pytest.mark.gui


@pytest.fixture(
    params=[
        "lisboa_pms_export.csv",
        "alpine_lodges_report.xlsx",
        "citybreak_api_export.json",
        "nordic_channel_export.xml",
        "harbour_inn_reservations.tsv",
    ]
)
def sample(request, repo_root):
    path = repo_root / "booking_desktop" / "resources" / "samples" / request.param
    if not path.exists():
        pytest.skip(f"{path.name} not in resources/samples")
    return path


def test_sample_opens_and_its_first_error_can_be_reached(qtbot, make_window, sample):
    w = make_window()
    open_and_wait(qtbot, w, sample)
    r = w.session.result
    assert w.model.rowCount() == r.records > 0
    assert str(r.invalid) in w.error_panel.summary.text().replace(",", "")
    if r.profile is None:
        assert "suggested mapping" in w.page.notes.label.text()
    if r.invalid:
        w.view.setFocus()
        w.edits.go_to_problem(True)
        cur = w.view.currentIndex()
        tip = w.model.data(cur, Qt.ItemDataRole.ToolTipRole)
        assert tip and ":" in tip
        assert sample.name in w.details.location.text()
