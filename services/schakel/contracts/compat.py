"""Backward compatibility of JSON Schemas: can a reader with the new schema read every event
written under the old one, with no field lost?

Conservative by design: anything it cannot prove compatible counts as breaking. Checked
against every published revision of a version (transitive), since auditors replay old events.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]


def _resolve(schema: Schema, root: Schema) -> Schema:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    name = ref.rsplit("/", 1)[-1]
    resolved: Schema = root.get("$defs", {})[name]
    return _resolve(resolved, root)


def _branches(schema: Schema) -> list[Schema]:
    return list(schema.get("anyOf") or schema.get("oneOf") or [schema])


def _types(schema: Schema) -> set[str]:
    declared = schema.get("type")
    if declared is None:
        return set()
    return {declared} if isinstance(declared, str) else set(declared)


_WIDER_TYPES = {"integer": {"integer", "number"}}
_LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems")
_UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems")


def breaking_changes(old: Schema, new: Schema) -> list[str]:
    """Reasons why ``new`` cannot read all data valid under ``old`` (empty when compatible)."""
    return _compare(old, new, old, new, "$")


def _compare(old: Schema, new: Schema, old_root: Schema, new_root: Schema, path: str) -> list[str]:
    old, new = _resolve(old, old_root), _resolve(new, new_root)
    old_branches, new_branches = _branches(old), _branches(new)
    if len(old_branches) > 1 or len(new_branches) > 1:
        problems: list[str] = []
        for branch in old_branches:
            if all(_compare(branch, nb, old_root, new_root, path) for nb in new_branches):
                problems.append(f"{path}: no branch of the new schema reads {_short(branch)}")
        return problems
    return _compare_single(old, new, old_root, new_root, path)


def _compare_single(
    old: Schema, new: Schema, old_root: Schema, new_root: Schema, path: str
) -> list[str]:
    problems: list[str] = []
    old_types, new_types = _types(old), _types(new)
    if new_types:
        for t in old_types or {"any"}:
            if not (_WIDER_TYPES.get(t, {t}) & new_types):
                problems.append(f"{path}: type {t} no longer accepted (now {sorted(new_types)})")
    if "enum" in new and set(map(str, old.get("enum", ["<any>"]))) - set(map(str, new["enum"])):
        problems.append(f"{path}: enum values removed")
    if "const" in new and old.get("const") != new["const"]:
        problems.append(f"{path}: constant changed")
    if new.get("pattern") not in (None, old.get("pattern")):
        problems.append(f"{path}: pattern changed")
    if new.get("format") not in (None, old.get("format")):
        problems.append(f"{path}: format changed")
    for bound in _LOWER_BOUNDS:
        if bound in new and new[bound] > old.get(bound, float("-inf")):
            problems.append(f"{path}: {bound} raised")
    for bound in _UPPER_BOUNDS:
        if bound in new and new[bound] < old.get(bound, float("inf")):
            problems.append(f"{path}: {bound} lowered")
    if "object" in old_types | new_types:
        problems += _compare_objects(old, new, old_root, new_root, path)
    if "items" in old and "items" in new:
        problems += _compare(old["items"], new["items"], old_root, new_root, f"{path}[]")
    return problems


def _compare_objects(
    old: Schema, new: Schema, old_root: Schema, new_root: Schema, path: str
) -> list[str]:
    problems: list[str] = []
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    for name in sorted(set(new.get("required", [])) - set(old.get("required", []))):
        problems.append(f"{path}.{name}: newly required")
    for name, old_prop in old_props.items():
        if name not in new_props:
            problems.append(f"{path}.{name}: field removed")
            continue
        problems += _compare(old_prop, new_props[name], old_root, new_root, f"{path}.{name}")
    if new.get("additionalProperties") is False and old.get("additionalProperties") is not False:
        problems.append(f"{path}: additional properties now forbidden")
    return problems


def _short(schema: Schema) -> str:
    text = str({k: v for k, v in schema.items() if k not in ("description", "title")})
    return text if len(text) < 80 else text[:77] + "..."
