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


def test_the_lazy_registry_lists_each_readers_own_format_and_extensions():
    import importlib

    from booking_desktop.readers import READERS

    for fmt, (module, name, extensions) in READERS.items():
        cls = getattr(importlib.import_module(module), name)
        assert (cls.format, cls.extensions) == (fmt, extensions)
        assert isinstance(base.get_reader(fmt), cls)


def test_reading_a_csv_loads_no_xml_or_workbook_reader(tmp_path):
    """The XML and workbook readers (ElementTree, defusedxml, calamine) cost every CSV read 9 ms of
    start-up when the package imported them all; a malformed XML is still one clear message."""
    import subprocess
    import sys

    (tmp_path / "a.csv").write_text("ref,name\nA,1\n", encoding="utf-8")
    (tmp_path / "b.xml").write_text("<rows><row><ref>A</ref></row>", encoding="utf-8")
    script = (
        "import sys\n"
        "from booking_desktop.readers import read_file, ReadError\n"
        f"raw = read_file({str(tmp_path / 'a.csv')!r})\n"
        "heavy = ('xml.etree.ElementTree', 'defusedxml', 'python_calamine', 'booking_desktop.readers.ota')\n"
        "print(len(raw), sorted(m for m in heavy if m in sys.modules))\n"
        "try:\n"
        f"    read_file({str(tmp_path / 'b.xml')!r})\n"
        "except ReadError as exc:\n"
        "    print(exc.problem.code)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["1 []", "malformed-xml"]
