"""``make schemas`` as a contributor runs it: every published contract written, a changed but
compatible schema keeping its previous revision in history (so every later change is checked
against it too), and ``--check`` naming what is stale or gone."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from schakel.contracts.export import generated_files, main
from schakel.contracts.registry import REGISTRY

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
TYPE = "nl.schakel.referral.triaged.v2"


def test_an_empty_directory_gets_every_contract(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--dir", str(tmp_path)]) == 0
    written = {str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.json")}
    assert written == set(generated_files())
    for name, text in generated_files().items():
        assert (tmp_path / name).read_text() == text
    schema = json.loads((tmp_path / "events" / f"{TYPE}.json").read_text())
    assert schema["$id"] == f"urn:schakel:event:{TYPE}"
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    envelope = json.loads((tmp_path / "envelope.json").read_text())
    assert "data" not in envelope["properties"] and "data" not in envelope["required"]
    assert envelope["title"] == "CloudEvents envelope of schakel events"
    count = len(REGISTRY.event_types)
    assert capsys.readouterr().out == (
        f"schemas in {tmp_path}: {count} event types, all compatible\n"
    )
    assert main(["--check", "--dir", str(tmp_path)]) == 0


def test_a_compatible_change_keeps_the_previous_revision(tmp_path: Path) -> None:
    root = tmp_path / "schemas"
    shutil.copytree(SCHEMAS, root)
    current = root / "events" / f"{TYPE}.json"
    earlier = json.loads(current.read_text())
    earlier["description"] = "as first published"
    current.write_text(json.dumps(earlier))
    kept_before = sorted((root / "history" / TYPE).glob("*.json"))
    everything_before = sorted((root / "history").rglob("*.json"))
    assert main(["--dir", str(root)]) == 0
    kept = sorted((root / "history" / TYPE).glob("*.json"))
    [added] = set(kept) - set(kept_before)
    assert added.name == f"{len(kept_before) + 1:04d}.json"
    assert json.loads(added.read_text()) == earlier
    assert current.read_text() == generated_files()[f"events/{TYPE}.json"]
    assert sorted((root / "history").rglob("*.json")) == sorted([*everything_before, added])


def test_check_names_what_is_stale_or_gone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "schemas"
    shutil.copytree(SCHEMAS, root)
    (root / "envelope.json").unlink()
    (root / "asyncapi.json").write_text("{}\n")
    (root / "events" / "nl.schakel.referral.gone.v1.json").write_text("{}\n")
    assert main(["--check", "--dir", str(root)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "schema: envelope.json is not up to date: run `make schemas`",
        "schema: asyncapi.json is not up to date: run `make schemas`",
        "schema: nl.schakel.referral.gone.v1 was published but has no model any more",
    ]
    assert (root / "asyncapi.json").read_text() == "{}\n"  # a check writes nothing
