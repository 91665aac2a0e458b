"""Export the published JSON Schemas into ``schemas/`` and check their compatibility.

``python -m schakel.contracts.export``          write schemas (refuses incompatible changes)
``python -m schakel.contracts.export --check``  fail when schemas/ is stale or a change breaks

A changed but compatible schema keeps its previous revision under ``schemas/history/<type>/``
so that every later change is checked against every revision ever published.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from schakel.contracts.asyncapi import asyncapi_document
from schakel.contracts.compat import breaking_changes
from schakel.contracts.envelope import EventEnvelope
from schakel.contracts.registry import REGISTRY

# Run from a checkout (`make schemas`): the published contracts are files of the repository.
DEFAULT_DIR = Path("schemas")


def event_schema(event_type: str) -> dict[str, Any]:
    schema = REGISTRY.model(event_type).model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:schakel:event:{event_type}",
        **schema,
    }


def envelope_schema() -> dict[str, Any]:
    schema = EventEnvelope[Any].model_json_schema()
    schema["properties"].pop("data", None)
    schema["required"] = [r for r in schema.get("required", []) if r != "data"]
    schema["title"] = "CloudEvents envelope of schakel events"
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:schakel:envelope",
        **schema,
    }


def _dump(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def published_revisions(root: Path, event_type: str) -> list[Path]:
    current = root / "events" / f"{event_type}.json"
    history = sorted((root / "history" / event_type).glob("*.json"))
    return [*history, *([current] if current.exists() else [])]


def problems_for(root: Path, event_type: str) -> list[str]:
    """Breaking changes of the current model against every published revision."""
    new = event_schema(event_type)
    found: list[str] = []
    for revision in published_revisions(root, event_type):
        for problem in breaking_changes(_load(revision), new):
            found.append(f"{event_type} vs {revision.relative_to(root)}: {problem}")
    return found


def generated_files() -> dict[str, str]:
    files = {f"events/{t}.json": _dump(event_schema(t)) for t in REGISTRY.event_types}
    files["envelope.json"] = _dump(envelope_schema())
    files["asyncapi.json"] = _dump(asyncapi_document())
    return files


def check(root: Path) -> list[str]:
    found = [p for t in REGISTRY.event_types for p in problems_for(root, t)]
    for name, text in generated_files().items():
        path = root / name
        if not path.exists() or path.read_text() != text:
            found.append(f"{name} is not up to date: run `make schemas`")
    published = {p.stem for p in (root / "events").glob("*.json")}
    for gone in sorted(published - set(REGISTRY.event_types)):
        found.append(f"{gone} was published but has no model any more")
    return found


def export(root: Path) -> list[str]:
    breaking = [p for t in REGISTRY.event_types for p in problems_for(root, t)]
    if breaking:
        return breaking
    for name, text in generated_files().items():
        path = root / name
        if path.exists() and path.read_text() != text and name.startswith("events/"):
            event_type = path.stem
            keep = (
                root
                / "history"
                / event_type
                / f"{len(published_revisions(root, event_type)):04d}.json"
            )
            keep.parent.mkdir(parents=True, exist_ok=True)
            keep.write_text(path.read_text())
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="only check, write nothing")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    args = parser.parse_args(argv)
    problems = check(args.dir) if args.check else export(args.dir)
    for problem in problems:
        print(f"schema: {problem}", file=sys.stderr)
    if not problems:
        print(f"schemas in {args.dir}: {len(REGISTRY.event_types)} event types, all compatible")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
