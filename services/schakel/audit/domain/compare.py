"""Comparing a read model rebuilt by replay with the live one, pure Python: documents are
matched by their key (both sides streamed in key order, a merge join, so memory stays flat)
and compared field by field; a field whose path is ignored is left out."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

Document = Mapping[str, Any]
DOCUMENT = "(document)"  # the field named when one side has no such document at all
_INDEX = re.compile(r"\.\d+(?=\.|$)")


@dataclass(frozen=True)
class Difference:
    """One field that differs: which document (its referral and key), which field, and the
    value live and replayed (None: absent there; a whole document missing on one side is
    field ``(document)``, "present" on the other)."""

    collection: str
    referral: str
    key: tuple[Any, ...]
    field: str
    live: Any
    replayed: Any


def flatten(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every leaf of a document as (dotted path, value); list items by position."""
    if isinstance(value, Mapping):
        if not value and path:
            yield path, {}
        for name, inner in value.items():
            yield from flatten(inner, f"{path}.{name}" if path else str(name))
    elif isinstance(value, list | tuple):
        if not value:
            yield path, []
        for index, inner in enumerate(value):
            yield from flatten(inner, f"{path}.{index}")
    else:
        yield path, value


def ignored(path: str, ignore: frozenset[str]) -> bool:
    """``log.note`` ignores ``log.3.note``; a path ignores everything under it."""
    general = _INDEX.sub("", path)
    return any(general == i or general.startswith(f"{i}.") for i in ignore)


MISSING = object()


def as_multiset(doc: Document, unordered: frozenset[str]) -> Document:
    """``doc`` with each list at a path of ``unordered`` (dotted, top-level documents only)
    in one canonical order, so that two lists holding the same items compare equal."""
    out = dict(doc)
    for path in unordered:
        head, _, rest = path.partition(".")
        inner = out.get(head)
        if rest and isinstance(inner, Mapping):
            out[head] = as_multiset(inner, frozenset({rest}))
        elif not rest and isinstance(inner, list):
            out[head] = sorted(
                inner, key=lambda item: json.dumps(item, sort_keys=True, default=str)
            )
    return out


def field_differences(
    live: Document,
    replayed: Document,
    ignore: frozenset[str],
    unordered: frozenset[str] = frozenset(),
) -> Iterator[tuple[str, Any, Any]]:
    """(path, live value, replayed value) of every field that differs; an absent field's
    value is None."""
    live, replayed = as_multiset(live, unordered), as_multiset(replayed, unordered)
    left = {p: v for p, v in flatten(live) if not ignored(p, ignore)}
    right = {p: v for p, v in flatten(replayed) if not ignored(p, ignore)}
    for path in sorted(left.keys() | right.keys()):
        a, b = left.get(path, MISSING), right.get(path, MISSING)
        if a is MISSING or b is MISSING or a != b or type(a) is not type(b):
            yield path, None if a is MISSING else a, None if b is MISSING else b


@dataclass(frozen=True)
class Model:
    """What the comparison needs to know of a read model."""

    collection: str
    key: tuple[str, ...]
    referral: str
    ignore: frozenset[str]
    unordered: frozenset[str] = frozenset()

    def key_of(self, doc: Document) -> tuple[Any, ...]:
        return tuple(doc.get(k) for k in self.key)

    def referral_of(self, doc: Document) -> str:
        return str(doc.get(self.referral, ""))


def _behind(model: Model, a: Document | None, b: Document | None) -> str:
    """Which side's document comes first in key order ("both": the same key)."""
    if b is None:
        return "live"
    if a is None:
        return "replayed"
    ka, kb = model.key_of(a), model.key_of(b)
    return "both" if ka == kb else ("live" if ka < kb else "replayed")


async def compare(
    model: Model, live: AsyncIterator[Document], replayed: AsyncIterator[Document]
) -> AsyncIterator[Difference]:
    """Both sides must come sorted by ``model.key`` (the same order the database sorts in,
    which for the keys used, text and numbers, is Python's order too)."""
    a = await anext(live, None)
    b = await anext(replayed, None)
    while a is not None or b is not None:
        side = _behind(model, a, b)
        if side == "live" and a is not None:
            yield Difference(
                model.collection, model.referral_of(a), model.key_of(a), DOCUMENT, "present", None
            )
            a = await anext(live, None)
        elif side == "replayed" and b is not None:
            yield Difference(
                model.collection, model.referral_of(b), model.key_of(b), DOCUMENT, None, "present"
            )
            b = await anext(replayed, None)
        elif a is not None and b is not None:
            for path, left, right in field_differences(a, b, model.ignore, model.unordered):
                yield Difference(
                    model.collection, model.referral_of(a), model.key_of(a), path, left, right
                )
            a = await anext(live, None)
            b = await anext(replayed, None)
