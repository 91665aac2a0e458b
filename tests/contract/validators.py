"""Independent validators of schakel's published contracts: the tools that the people who build
against them use (GP systems, municipalities, auditors), not schakel's own code.

- AsyncAPI: the official AsyncAPI CLI (`asyncapi validate`), installed from npm, pinned by
  `tests/contract/asyncapi-cli/package-lock.json`, into the cache dir on first use.
- OpenAPI: `openapi-spec-validator`.
- CloudEvents on Kafka: the official CloudEvents SDK's Kafka binding (binary content mode), the
  headers checked against the AsyncAPI document's `CloudEventsHeaders` schema and the data
  against `schemas/events/<type>.json`, both with `jsonschema` (Draft 2020-12).
- FHIR: `fhir.resources` models (R4B, the R4-compatible release that library maintains).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cloudevents.core.base import BaseCloudEvent
from cloudevents.core.bindings.kafka import KafkaMessage, from_binary
from cloudevents.core.exceptions import BaseCloudEventException
from cloudevents.core.formats.json import JSONFormat
from jsonschema import Draft202012Validator
from jsonschema_path import SchemaPath
from openapi_spec_validator.shortcuts import get_validator_cls

from schakel_dev.cache_files import file_lock, marker_text

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = REPO / "schemas"

# --- AsyncAPI: the official CLI -------------------------------------------------------------

CLI_PINS = Path(__file__).parent / "asyncapi-cli"  # package.json + package-lock.json
ASYNCAPI_CLI_VERSION: str = json.loads((CLI_PINS / "package.json").read_text())["dependencies"][
    "@asyncapi/cli"
]
NPM_TIMEOUT_SECONDS = 900
ERROR, WARNING, INFO, HINT = 0, 1, 2, 3  # Spectral's diagnostic severities


class ToolMissing(RuntimeError):
    """A validator's runtime is not on this machine (the tests that need it are skipped)."""


@dataclass(frozen=True)
class CliReport:
    """One `asyncapi validate` run: exit code, what it printed, its diagnostics (JSON)."""

    returncode: int
    output: str
    diagnostics: list[dict[str, Any]]

    def at_least(self, severity: int) -> list[dict[str, Any]]:
        return [d for d in self.diagnostics if int(d.get("severity", ERROR)) <= severity]

    @property
    def errors(self) -> list[dict[str, Any]]:
        return self.at_least(ERROR)

    def describe(self) -> str:
        lines = [
            f"{'.'.join(map(str, d.get('path', [])))}: {d.get('message')} ({d.get('code')})"
            for d in self.diagnostics
        ]
        return "\n".join([f"exit {self.returncode}", *lines, self.output.strip()])


@dataclass(frozen=True)
class AsyncAPICli:
    home: Path
    install_seconds: float | None  # None: it was installed before this run

    @property
    def executable(self) -> Path:
        return self.home / "node_modules" / ".bin" / "asyncapi"

    @classmethod
    def install(cls, cache: Path) -> AsyncAPICli:
        """The pinned CLI under ``cache``, installed with `npm ci` when missing or when the
        pins changed (a marker holding their hash is written only after a complete install).
        Install scripts are not run: the CLI's would edit the shell's rc file and one of its
        dependencies' would send telemetry; `validate` needs neither."""
        node, npm = shutil.which("node"), shutil.which("npm")
        if node is None or npm is None:
            raise ToolMissing(
                f"{'Node.js' if node is None else 'npm'} is not installed, so the AsyncAPI "
                "document was NOT checked by the official AsyncAPI CLI "
                f"(@asyncapi/cli {ASYNCAPI_CLI_VERSION}); install Node.js >= 20 with npm"
            )
        pins = [CLI_PINS / "package.json", CLI_PINS / "package-lock.json"]
        # The lock pins the whole tree (npm ci refuses a package.json that disagrees with it).
        fingerprint = hashlib.sha256(pins[1].read_bytes()).hexdigest()
        home = cache / f"asyncapi-cli-{ASYNCAPI_CLI_VERSION}"
        marker = home / "complete"
        if marker_text(marker) == fingerprint:
            return cls(home, None)
        home.mkdir(parents=True, exist_ok=True)
        with file_lock(home / ".lock"):  # two test runs may start together
            if marker_text(marker) == fingerprint:
                return cls(home, None)
            marker.unlink(missing_ok=True)
            for pin in pins:
                shutil.copyfile(pin, home / pin.name)
            print(
                f"installing @asyncapi/cli {ASYNCAPI_CLI_VERSION} from npm into {home} "
                "(first time only, a few minutes)…",
                file=sys.stderr,
                flush=True,
            )
            started = time.monotonic()
            done = subprocess.run(
                [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=home,
                env={**os.environ, "npm_config_update_notifier": "false"},
                capture_output=True,
                text=True,
                timeout=NPM_TIMEOUT_SECONDS,
                check=False,
            )
            if done.returncode != 0:
                raise RuntimeError(
                    f"npm ci of @asyncapi/cli {ASYNCAPI_CLI_VERSION} failed "
                    f"(exit {done.returncode}):\n{done.stdout}\n{done.stderr}"
                )
            marker.write_text(fingerprint)
            return cls(home, time.monotonic() - started)

    def validate(self, document: Path, fail_severity: str = "warn") -> CliReport:
        """`asyncapi validate`; exit code non-zero when a diagnostic of ``fail_severity`` or
        worse was found. Usage metrics are off (a config file of our own says so)."""
        metrics_config = self.home / "analytics.json"
        metrics_config.write_text(
            json.dumps({"analyticsEnabled": "false", "infoMessageShown": "true", "userID": ""})
        )
        saved = self.home / f"diagnostics-{os.getpid()}-{time.monotonic_ns()}.json"
        try:
            done = subprocess.run(
                [
                    str(self.executable),
                    "validate",
                    str(document),
                    "--diagnostics-format",
                    "json",
                    "--save-output",
                    str(saved),
                    "--fail-severity",
                    fail_severity,
                ],
                env={**os.environ, "ASYNCAPI_METRICS_CONFIG_PATH": str(metrics_config)},
                capture_output=True,
                text=True,
                timeout=180,
                check=False,
            )
            diagnostics = json.loads(saved.read_text()) if saved.exists() else []
        finally:
            saved.unlink(missing_ok=True)
        return CliReport(done.returncode, done.stdout + done.stderr, diagnostics)


# --- OpenAPI --------------------------------------------------------------------------------


def openapi_problems(document: Mapping[str, Any]) -> list[str]:
    """Everything openapi-spec-validator finds wrong with ``document`` (empty: valid)."""
    problems: list[str] = []
    try:
        validator = get_validator_cls(document)(SchemaPath.from_dict(dict(document)))
        for error in validator.iter_errors():
            problems.append(_error(error))
    except Exception as exc:  # no version, a $ref to nowhere…: invalid as well
        problems.append(f"{type(exc).__name__}: {str(exc)[:300]}")
    return problems


# --- CloudEvents on Kafka -------------------------------------------------------------------

RawHeaders = Sequence[tuple[str, bytes | None]]


class ContractViolation(AssertionError):
    """A Kafka record that is not what the published contracts promise."""


class RecordChecker:
    """Reads a Kafka record as a consumer outside schakel would: the CloudEvents SDK's Kafka
    binding (binary content mode), the headers against the published AsyncAPI document's
    `CloudEventsHeaders`, the data against the published JSON Schema of its type."""

    def __init__(self, schemas: Path = SCHEMAS) -> None:
        asyncapi = json.loads((schemas / "asyncapi.json").read_text())
        self.headers_schema = asyncapi["components"]["schemas"]["CloudEventsHeaders"]
        self._headers = _validator(self.headers_schema)
        self._events = {
            path.stem: _validator(json.loads(path.read_text()))
            for path in sorted((schemas / "events").glob("*.json"))
        }

    @property
    def event_types(self) -> list[str]:
        return sorted(self._events)

    def check(self, headers: RawHeaders, key: bytes | None, value: bytes | None) -> BaseCloudEvent:
        """The record as a CloudEvent; raises ContractViolation with every reason."""
        text, problems = _text_headers(headers)
        problems += [f"headers: {_error(e)}" for e in self._headers.iter_errors(text)]
        if problems:
            raise ContractViolation("; ".join(problems))
        message = KafkaMessage(
            headers={name: raw for name, raw in headers if raw is not None},
            key=key,
            value=value or b"",
        )
        try:
            event = from_binary(message, JSONFormat())
        except (BaseCloudEventException, ValueError) as exc:
            raise ContractViolation(f"the CloudEvents SDK cannot read it: {exc}") from exc
        # The SDK fills in a missing id or specversion; these must be the ones sent.
        attributes = event.get_attributes()
        for name in ("specversion", "id", "source", "type", "subject", "correlationid"):
            if attributes.get(name) != text.get(f"ce_{name}"):
                problems.append(f"attribute {name}: {attributes.get(name)!r} as read")
        if event.get_time() is None:
            problems.append("attribute time: missing")
        if key is None or key.decode("utf-8", "replace") != event.get_subject():
            problems.append(f"record key {key!r} is not the subject {event.get_subject()!r}")
        data = event.get_data()
        schema = self._events.get(event.get_type())
        if not isinstance(data, dict):
            problems.append(f"data is not a JSON object: {str(data)[:80]!r}")
        elif schema is None:
            problems.append(f"no published schema for type {event.get_type()!r}")
        else:
            problems += [f"data: {_error(e)}" for e in schema.iter_errors(data)]
        if problems:
            raise ContractViolation("; ".join(problems))
        return event


def _validator(schema: dict[str, Any]) -> Draft202012Validator:
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _error(error: Any) -> str:
    where = "/".join(map(str, error.absolute_path)) or "(root)"
    return f"{where}: {error.message}"


def _text_headers(headers: RawHeaders) -> tuple[dict[str, str], list[str]]:
    text: dict[str, str] = {}
    problems: list[str] = []
    for name, raw in headers:
        ours = name.startswith("ce_") or name == "content-type"
        if raw is None:  # Kafka allows a header without a value: absent, as schakel reads it
            continue
        if ours and name in text:
            problems.append(f"header {name} appears twice")
        try:
            text[name] = raw.decode("utf-8")
        except UnicodeDecodeError:
            if ours:
                problems.append(f"header {name} is not UTF-8")
    return text, problems


# --- FHIR -----------------------------------------------------------------------------------


def fhir_problems(resource: Mapping[str, Any]) -> list[str]:
    """What the fhir.resources R4B models refuse in ``resource`` (empty: valid). Checks
    structure, data types, cardinality and unknown elements; not terminology bindings or
    profiles. R4B is the R4-compatible release fhir.resources maintains (it has no plain R4)."""
    from fhir.resources.R4B import get_fhir_model_class
    from pydantic import ValidationError

    kind = resource.get("resourceType")
    try:
        model = get_fhir_model_class(str(kind))
    except (KeyError, ValueError):
        return [f"resourceType: {kind!r} is not an R4B resource"]
    try:
        model.model_validate(dict(resource))
    except ValidationError as exc:
        return [
            f"{'.'.join(map(str, e['loc'])) or '(root)'}: {e['msg']}"
            for e in exc.errors(include_url=False)
        ]
    return []
