"""XML exports, parsed with defusedxml.

defusedxml refuses entity declarations (billion-laughs bombs, external
entities) and external references; each refusal is an ``xml-forbidden``
ReadError rather than a hang, a file read or a network request.

Records are the repeated element: the tag that occurs most often among the
children of one parent (``record_path`` such as ``/export/booking`` or
``booking`` pins it).  Columns are the record's attributes, as ``@name``, and
its child elements, nested ones dotted (``guest.name``, ``guest.@id``) --
the ``@`` keeps an attribute and a child element of the same name apart and
names stay the same from file to file.  Namespaces are dropped (local
names) unless two namespaces give a record the same name, then the
document's prefix is kept (``ext:note``).  Repeated children are joined with
``"; "``.  Locations are XPath-like, 1-based: ``/export/booking[3]``.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as DET
import numpy as np

from booking_desktop.readers.base import Locations, RawTable, SourceInfo
from booking_desktop.readers.cleaning import clean_headers, frame_from_columns, null_values
from booking_desktop.readers.source import Source, fail, load_source


class XmlReader:
    format = "xml"
    extensions = (".xml",)

    def read(self, path: Path, options: dict[str, Any]) -> RawTable:
        return self.read_source(load_source(path, options), options)

    def read_source(self, src: Source, options: dict[str, Any]) -> RawTable:
        label = src.label
        prefixes: dict[str, str] = {}
        try:
            it = DET.iterparse(
                io.BytesIO(src.data), events=("start-ns",), forbid_dtd=False, forbid_entities=True, forbid_external=True
            )
            for _event, (prefix, uri) in it:
                prefixes.setdefault(uri, prefix or "")
            root: Element | None = it.root  # type: ignore[attr-defined]  # set once parsing ends; typeshed omits it
        except ParseError as exc:
            line, col = getattr(exc, "position", (None, None))
            msg = str(exc).split(":")[0]
            raise fail("malformed-xml", f"malformed XML: {msg}", label, f"line {line} column {col}") from None
        except defusedxml.EntitiesForbidden as exc:
            what = "an external entity" if exc.sysid or exc.pubid else "an entity declaration"
            raise fail(
                "xml-forbidden",
                f"refused {what} ({exc.name!r}); entity declarations can expand without bound or read other files",
                label,
            ) from None
        except defusedxml.DTDForbidden:
            raise fail("xml-forbidden", "refused a document type definition (DTD)", label) from None
        except defusedxml.ExternalReferenceForbidden as exc:
            raise fail("xml-forbidden", f"refused an external reference ({exc.sysid})", label) from None
        except defusedxml.DefusedXmlException as exc:
            raise fail("xml-forbidden", f"refused unsafe XML ({exc})", label) from None
        if root is None:
            raise fail("malformed-xml", "no root element", label)
        records, path, multi_parent = _find_records(root, options.get("record_path"), label)
        template = (f"({path})[{{}}]" if multi_parent else f"{path}[{{}}]").replace("{}", "\0")
        template = template.replace("{", "{{").replace("}", "}}").replace("\0", "{}")
        rows = [_flatten_record(r, prefixes) for r in records]
        keys: dict[str, None] = {}
        for r in rows:
            for k in r:
                keys.setdefault(k, None)
        raw_names = list(keys)
        columns = [["; ".join(r[k]) if r.get(k) else None for r in rows] for k in raw_names]
        names, hp = clean_headers(raw_names, label, path)
        frame = frame_from_columns(names, columns, null_values(options))
        info = SourceInfo(path=src.path, format="xml", encoding="utf-8", record_path=path)
        numbers = np.arange(1, len(rows) + 1, dtype=np.int64)
        return RawTable(frame, Locations(template, numbers), info, hp)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if tag.startswith("{") else tag


def _uri(tag: str) -> str | None:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else None


def _find_records(root: Element, record_path: str | None, label: str) -> tuple[list[Element], str, bool]:
    if record_path:
        return _by_path(root, record_path, label)
    # Score (record-like, count, shallower): records have children or attributes,
    # and the repeated children *inside* records (notes, rooms) are not candidates.
    best: tuple[tuple[bool, int, int], Element | None, str, list[str]] = ((False, 0, 0), None, "", [])
    stack: list[tuple[Element, list[str]]] = [(root, [_local(root.tag)])]
    while stack:
        node, names = stack.pop()
        groups: dict[str, list[Element]] = {}
        for c in node:
            groups.setdefault(_local(c.tag), []).append(c)
        repeated: set[str] = set()
        for tag, elems in groups.items():
            record_like = any(len(e) or e.attrib for e in elems)
            score = (record_like, len(elems), -len(names))
            if score > best[0]:
                best = (score, node, tag, names)
            if record_like and len(elems) > 1:
                repeated.add(tag)
        stack.extend((c, [*names, _local(c.tag)]) for c in node if len(c) and _local(c.tag) not in repeated)
    (_like, n, _depth), parent, tag, names = best
    if parent is None:
        return [], "/" + _local(root.tag), False
    records = [c for c in parent if _local(c.tag) == tag]
    if n == 1 and len(records[0]) == 0:
        return [parent], "/" + "/".join(names[:-1] or names), False  # one flat record: the parent itself
    return records, "/" + "/".join([*names, tag]), False


def _by_path(root: Element, record_path: str, label: str) -> tuple[list[Element], str, bool]:
    parts = [p for p in record_path.strip().split("/") if p]
    if not parts:
        raise fail("record-path-not-found", f"record_path {record_path!r} is empty", label)
    if record_path.strip().startswith("/"):
        if parts[0] != _local(root.tag):
            raise fail("record-path-not-found", f"record_path {record_path!r}: the root is {_local(root.tag)}", label)
        level = [(root, [parts[0]])]
        for p in parts[1:]:
            level = [(c, [*names, p]) for node, names in level for c in node if _local(c.tag) == p]
        matches = level
    else:
        matches = []
        stack: list[tuple[Element, list[str]]] = [(root, [_local(root.tag)])]
        while stack:
            node, names = stack.pop()
            if names[-len(parts) :] == parts and len(names) >= len(parts):
                matches.append((node, names))
            stack.extend((c, [*names, _local(c.tag)]) for c in reversed(list(node)))
    if not matches:
        raise fail("record-path-not-found", f"no element matches record_path {record_path!r}", label)
    paths = {"/" + "/".join(names) for _n, names in matches}
    path = paths.pop() if len(paths) == 1 else "//" + "/".join(parts)
    parent_of = {id(c): id(p) for p in root.iter() for c in p}
    parents = {parent_of.get(id(n)) for n, _ in matches}
    return [n for n, _ in matches], path, len(parents) > 1


def _flatten_record(elem: Element, prefixes: dict[str, str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    home = _uri(elem.tag)
    clash = _clashing_locals(elem)

    def name(tag: str) -> str:
        local, uri = _local(tag), _uri(tag)
        if local in clash and uri != home and uri is not None:
            return f"{prefixes.get(uri) or 'ns'}:{local}"
        return local

    def walk(e: Element, prefix: str) -> None:
        for k, v in e.attrib.items():
            out.setdefault(f"{prefix}@{name(k)}", []).append(v)
        for c in e:
            key = prefix + name(c.tag)
            if len(c):
                walk(c, key + ".")
            else:
                text = (c.text or "").strip()
                out.setdefault(key, [])
                if text:
                    out[key].append(text)
                for k, v in c.attrib.items():
                    out.setdefault(f"{key}.@{name(k)}", []).append(v)

    walk(elem, "")
    text = (elem.text or "").strip()
    if text and not len(elem):
        out.setdefault("#text", []).append(text)
    return out


def _clashing_locals(elem: Element) -> set[str]:
    seen: dict[str, set[str | None]] = {}
    for e in elem.iter():
        for tag in [e.tag, *e.attrib]:
            seen.setdefault(_local(tag), set()).add(_uri(tag))
    return {k for k, uris in seen.items() if len(uris) > 1}
