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
from booking_desktop.readers.cards import card_summary, is_card
from booking_desktop.readers.cleaning import clean_headers, frame_from_columns, null_values
from booking_desktop.readers.source import Source, fail, load_source, warning

#: Deeper nesting is refused before any tree walk: real exports nest a dozen levels (an OTA
#: message in a SOAP envelope about 15), while 100,000 levels made the walks quadratic.
MAX_DEPTH = 256
_CARD_WARNING = (
    "payment card details (number, security code, expiry) are not read (PCI DSS); "
    "only the card type and the last four digits are kept"
)


class XmlReader:
    format = "xml"
    extensions = (".xml",)

    def read(self, path: Path, options: dict[str, Any]) -> RawTable:
        return self.read_source(load_source(path, options), options)

    def read_source(self, src: Source, options: dict[str, Any]) -> RawTable:
        label = src.label
        root, prefixes = parse_xml(src)
        if not options.get("record_path") and options.get("ota", True) not in (False, "false", "no", 0):
            from booking_desktop.readers import ota

            message = ota.find_message(root)
            if message is not None:
                return ota.read_message(message, src, options)
        records, path, multi_parent = _find_records(root, options.get("record_path"), label)
        template = (f"({path})[{{}}]" if multi_parent else f"{path}[{{}}]").replace("{}", "\0")
        template = template.replace("{", "{{").replace("}", "}}").replace("\0", "{}")
        cards = [0]
        rows = [_flatten_record(r, prefixes, cards) for r in records]
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
        if cards[0]:
            hp.append(warning("card-data-dropped", f"{cards[0]} {_CARD_WARNING}", label))
        return RawTable(frame, Locations(template, numbers), info, hp)


def parse_xml(src: Source) -> tuple[Element, dict[str, str]]:
    """The document's root and its namespace prefixes (uri -> prefix), parsed with defusedxml;
    every refusal is a one-line ReadError."""
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
    except RecursionError:
        raise fail("xml-too-deep", f"elements nested deeper than {MAX_DEPTH} levels; refused", label) from None
    if root is None:
        raise fail("malformed-xml", "no root element", label)
    _check_depth(root, label)
    return root, prefixes


def _check_depth(root: Element, label: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH (one pass over the elements that have children)."""
    stack: list[tuple[Element, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth >= MAX_DEPTH:
            path = "/".join(_local(e.tag) for e in _first_path(root, MAX_DEPTH // 32))
            raise fail(
                "xml-too-deep",
                f"elements nested deeper than {MAX_DEPTH} levels (under /{path}/...); refused "
                "(bookings nest a few levels; this is not an export)",
                label,
            )
        stack.extend((c, depth + 1) for c in node if len(c))


def _first_path(root: Element, n: int) -> list[Element]:
    out = [root]
    while len(out) < n and len(out[-1]):
        out.append(out[-1][0])
    return out


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if tag.startswith("{") else tag


def _uri(tag: str) -> str | None:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else None


def _find_records(root: Element, record_path: str | None, label: str) -> tuple[list[Element], str, bool]:
    """The records: the best repeated element, unless it is a small part of one element around it.

    Repeated elements are scored (record-like, count, shallower): records have children or
    attributes, and the repeated children *inside* records (notes, rooms) are not candidates.
    But the repeated element may sit below the real record -- the two ``GuestCount``s of the
    one reservation of an OTA message.  So the values (attributes and texts) are counted: the
    repeated element is the record when its elements carry at least half of the values of the
    element around it that holds most of the document's values (descending from the root while
    one child holds 80 % of them); otherwise that element is the one record.  A document whose
    values are only the root's own attributes (an empty list) has no records."""
    if record_path:
        return _by_path(root, record_path, label)
    best: tuple[tuple[bool, int, int], list[Element], str] = ((False, 0, 0), [], "")
    stack: list[list[Element]] = [[root]]
    while stack:
        chain = stack.pop()
        node = chain[-1]
        groups: dict[str, list[Element]] = {}
        for c in node:
            groups.setdefault(_local(c.tag), []).append(c)
        repeated: set[str] = set()
        for tag, elems in groups.items():
            if len(elems) < 2:
                continue
            record_like = any(len(e) or e.attrib for e in elems)
            score = (record_like, len(elems), -len(chain))
            if score > best[0]:
                best = (score, chain, tag)
            if record_like:
                repeated.add(tag)
        stack.extend([*chain, c] for c in node if len(c) and _local(c.tag) not in repeated)
    (record_like, _n, _depth), chain, tag = best
    if chain:
        records = [c for c in chain[-1] if _local(c.tag) == tag]
        carried = sum(_values(r) for r in records)
        total = _values(root)
        if (record_like and 2 * carried >= total) or carried == total:
            return records, "/" + "/".join([*(_local(e.tag) for e in chain), tag]), False
        holder = _holder(chain)
        if record_like and 2 * carried >= _values(holder[-1]):
            return records, "/" + "/".join([*(_local(e.tag) for e in chain), tag]), False
    else:
        holder = _holder(None, root)
    record = holder[-1]
    own = len(record.attrib) if record is root else 0
    if _values(record) - own == 0 or not (len(record) or record.attrib):
        return [], "/" + _local(root.tag), False  # nothing but the root's attributes: no records
    return [record], "/" + "/".join(_local(e.tag) for e in holder), False


def _values(elem: Element) -> int:
    """Attribute values and non-blank leaf texts in ``elem``'s subtree."""
    return sum(len(e.attrib) + (0 if len(e) or not (e.text or "").strip() else 1) for e in elem.iter())


def _holder(chain: list[Element] | None, root: Element | None = None) -> list[Element]:
    """The path from the root to the element holding most of the values: descend (along
    ``chain``, or into the richest child) while the next element holds 80 % of them, never into
    a leaf."""
    first = chain[0] if chain else root
    assert first is not None
    path: list[Element] = [first]
    held = _values(path[0])
    i = 1
    while True:
        node = path[-1]
        if chain is not None:
            if i >= len(chain):
                break
            nxt = chain[i]
        else:
            kids = [c for c in node if len(c) or c.attrib]
            if not kids:
                break
            nxt = max(kids, key=_values)
        v = _values(nxt)
        if 5 * v < 4 * held or not (len(nxt) or nxt.attrib):
            break
        path.append(nxt)
        held = v
        i += 1
    return path


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


def _flatten_record(elem: Element, prefixes: dict[str, str], cards: list[int]) -> dict[str, list[str]]:
    """Columns of one record.  A payment card inside it gives only ``….@CardCode`` and
    ``….last4`` (see ``readers/cards.py``); ``cards[0]`` counts the cards met."""
    out: dict[str, list[str]] = {}
    home = _uri(elem.tag)
    clash = _clashing_locals(elem)

    def name(tag: str) -> str:
        local, uri = _local(tag), _uri(tag)
        if local in clash and uri != home and uri is not None:
            return f"{prefixes.get(uri) or 'ns'}:{local}"
        return local

    def card(e: Element, prefix: str) -> None:
        cards[0] += 1
        kind, last4 = card_summary(e)
        out.setdefault(f"{prefix}@CardCode", []).extend([kind] if kind else [])
        out.setdefault(f"{prefix}last4", []).extend([last4] if last4 else [])

    def walk(e: Element, prefix: str, depth: int) -> None:
        for k, v in e.attrib.items():
            out.setdefault(f"{prefix}@{name(k)}", []).append(v)
        for c in e:
            key = prefix + name(c.tag)
            if is_card(c):
                card(c, key + ".")
            elif len(c):
                walk(c, key + ".", depth + 1)
            else:
                text = (c.text or "").strip()
                out.setdefault(key, [])
                if text:
                    out[key].append(text)
                for k, v in c.attrib.items():
                    out.setdefault(f"{key}.@{name(k)}", []).append(v)

    if is_card(elem):
        card(elem, "")
        return out
    walk(elem, "", 0)
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
