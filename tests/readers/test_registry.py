"""The registry: one reader per format, picked by extension; new formats plug in."""

from __future__ import annotations

import numpy as np
import pandas as pd

from booking_desktop.readers import base, read_file, supported_extensions, supported_formats


def test_supported_formats_and_extensions():
    assert supported_formats() == ["csv", "excel", "json", "xml"]
    exts = supported_extensions()
    assert exts[".tsv"] == "csv" and exts[".xlsx"] == "excel" and exts[".jsonl"] == "json" and exts[".xml"] == "xml"


def test_a_registered_reader_is_used_for_its_extension(write, monkeypatch):
    class DemoReader:
        format = "demo"
        extensions = (".demo",)

        def read(self, path, options):
            frame = pd.DataFrame({"text": pd.Series([path.read_text().strip()], dtype="str")})
            return base.RawTable(frame, base.Locations("item {}", np.array([1])), base.SourceInfo(path, "demo"))

    monkeypatch.setattr(base, "_REGISTRY", dict(base._REGISTRY))
    monkeypatch.setattr(base, "_BY_EXTENSION", dict(base._BY_EXTENSION))
    base.register("demo", DemoReader.extensions, DemoReader)
    raw = read_file(write("x.demo", "hello"))
    assert raw.frame["text"].tolist() == ["hello"]
    assert raw.source.format == "demo" and raw.source.size == 5


def test_the_options_asked_for_are_recorded(write):
    raw = read_file(write("b.csv", "a;b\n1;2\n"), {"delimiter": ";"}, format="csv")
    assert raw.source.extra["options"] == {"delimiter": ";", "format": "csv"}
    assert read_file(write("c.csv", "a\n1\n")).source.extra["options"] == {}


def test_options_set_to_none_mean_the_defaults(write):
    opts = {k: None for k in ("encoding", "delimiter", "quotechar", "header_row", "null_values", "extra_null_values")}
    raw = read_file(write("b.csv", 'ref,x\n"B1",NULL\n'), {**opts, "sheet": None, "record_path": None, "member": None})
    assert raw.frame["ref"].tolist() == ["B1"] and raw.frame["x"].isna().all()
    assert [p.code for p in raw.problems] == []
