"""The commit panel's words: every outcome named, and the numbers adding up to the records."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from booking_desktop.gui.commit_text import duration, last_import_notice, summary_words, time_left
from booking_desktop.storage.engine import CommitProgress, CommitSummary


def _numbers_before_records(text: str) -> tuple[list[int], int]:
    """The counts of a summary sentence (before "of N records") and N."""
    head, records = re.search(r"^(.*) of ([\d,]+) records?", text).groups()
    counts = [int(n.replace(",", "")) for n in re.findall(r"([\d,]+) (?:inserted|updated|unchanged|rejected|skipped)",
                                                           head)]
    return counts, int(records.replace(",", ""))


def _summary(status="completed", records=32, error=None, **counts):
    return CommitSummary(import_id="x", status=status, records=records, seconds=12.3, error=error, **counts)


def test_the_issue_example_reads_as_asked():
    text = summary_words(_summary(inserted=28, rejected=4))
    assert text == "Committed in 12 s: 28 inserted, 4 rejected of 32 records."


@pytest.mark.parametrize(
    ("counts", "dups", "words"),
    [
        ({"inserted": 20, "updated": 5, "unchanged": 3, "rejected": 4}, 0,
         "20 inserted, 5 updated, 3 unchanged, 4 rejected of 32 records."),
        ({"inserted": 28, "rejected": 4}, 4, "28 inserted, 4 skipped duplicates of 32 records."),
        ({"inserted": 28, "rejected": 4}, 1, "28 inserted, 3 rejected, 1 skipped duplicate of 32 records."),
        ({"unchanged": 32}, 0, "0 inserted, 32 unchanged, 0 rejected of 32 records."),
    ],
)
def test_a_completed_summary_names_what_happened_and_adds_up(counts, dups, words):
    text = summary_words(_summary(**counts), dups)
    assert text.endswith(words)
    parts, records = _numbers_before_records(text.split(": ", 1)[1])
    assert sum(parts) == records == 32


def test_a_cancelled_summary_says_how_far_it_got_and_adds_up():
    text = summary_words(_summary("interrupted", 1_000_000, "cancelled by the user", inserted=3_990, rejected=10))
    assert text.startswith(
        "Cancelled after 4,000 of 1,000,000 records: 3,990 inserted, 10 rejected; 996,000 not committed. "
    )
    assert "resume" in text and text.count("Cancelled") == 1
    done = re.findall(r"([\d,]+) (?:inserted|rejected|not committed)", text)
    assert sum(int(n.replace(",", "")) for n in done) == 1_000_000


def test_an_interrupted_or_failed_commit_names_its_reason():
    text = summary_words(_summary("interrupted", 10, "the database stopped answering at record 5", inserted=4))
    assert text.startswith("Interrupted (the database stopped answering at record 5) after 4 of 10 records")
    text = summary_words(_summary("failed", 10, "commit failed at record 3: boom", inserted=2))
    assert text.startswith("The commit failed: commit failed at record 3: boom. Before that, 2 of 10 records:")
    assert text.endswith("8 not committed.")


def test_durations_and_time_left():
    assert [duration(s) for s in (0.4, 45, 60, 460, 3900)] == ["0 s", "45 s", "1 min", "7 min 40 s", "1 h 5 min"]
    assert time_left(500, 1000, 10.0) == "about 50 s left"
    assert time_left(1000, 1000, 10.0) == "finishing"
    assert time_left(0, 1000, 0.0) == "time left unknown"
    p = CommitProgress("x", 2000, 10000, 1, 5, 400.0, inserted=1990, rejected=10)
    from booking_desktop.gui.commit_text import progress_counts, progress_words

    assert progress_words(p) == "2,000 of 10,000 records · 400 rows/s · about 20 s left"
    assert progress_counts(p) == "1,990 inserted, 10 rejected so far"


def test_the_already_imported_notice_says_when_what_and_who():
    doc = {
        "started_at": datetime(2026, 3, 1, 9, 30),  # naive UTC, as pymongo returns it
        "user": "ana",
        "machine": "desk-7",
        "status": "completed",
        "records": 32,
        "counts": {"inserted": 28, "updated": 0, "unchanged": 0, "rejected": 4},
    }
    text = last_import_notice(doc)
    when = datetime(2026, 3, 1, 9, 30).replace(tzinfo=UTC).astimezone()
    assert text.startswith(f"This file was already imported on {when:%Y-%m-%d %H:%M:%S} ")
    assert "by ana on desk-7: 28 inserted, 4 rejected of 32 records." in text
    assert "not completed" in last_import_notice({**doc, "status": "interrupted"})


def test_the_preview_says_what_it_is_doing_with_how_far_and_how_long():
    from booking_desktop.gui.commit_text import preview_words
    from booking_desktop.storage.engine import PreviewProgress

    assert preview_words(PreviewProgress("planning", 0, 0), 1_000_000) == (
        "Preparing 1,000,000 records (booking keys)…"
    )
    assert preview_words(PreviewProgress("planning", 200_000, 990_000, 40_000.0), 1_000_000) == (
        "Preparing 1,000,000 records (booking contents): 200,000 of 990,000 · 40,000 rows/s · about 20 s left"
    )
    assert preview_words(PreviewProgress("looking up", 500, 1000, 100.0), 1_000) == (
        "Looking up which bookings already exist: 500 of 1,000 · 100 rows/s · about 5 s left"
    )
