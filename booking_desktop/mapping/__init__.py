"""Vendor mapping: profiles (YAML) that turn a RawTable into the canonical text frame."""

from __future__ import annotations

from booking_desktop.mapping.dates import DateOrderDecision, detect_date_order

__all__ = ["DateOrderDecision", "detect_date_order"]
