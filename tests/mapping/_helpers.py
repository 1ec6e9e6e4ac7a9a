"""Build RawTables directly (no reader involved) for mapping tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from booking_desktop.mapping.profile import MappingProfile
from booking_desktop.readers.base import Locations, RawTable, SourceInfo


def raw_table(columns: dict[str, list], name: str = "vendor.csv") -> RawTable:
    frame = pd.DataFrame({k: pd.Series(v, dtype="str") for k, v in columns.items()})
    n = len(frame)
    return RawTable(frame, Locations("line {}", np.arange(2, n + 2, dtype=np.int64)), SourceInfo(Path(name), "csv"))


def profile(fields: dict, **extra) -> MappingProfile:
    return MappingProfile.from_dict({"version": 1, "name": "test", "vendor": "TEST", "fields": fields, **extra})


def triples(problems) -> list[tuple[int, str, str]]:
    f = problems.frame
    return list(zip(f["row"].tolist(), f["field"].tolist(), f["code"].tolist()))
