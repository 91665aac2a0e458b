"""The Apache Kafka broker's jars, fetched once from Maven Central with `mvn` into the cache dir.

No Docker is needed for a development broker: `deploy/kafka/pom.xml` pins the version and
lists the broker's runtime classpath, which `kafka_server` runs with `java`.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from schakel_dev import repo_root
from schakel_dev.cache_files import file_lock, marker_text
from schakel_dev.processes import ServerError

__all__ = ["MVN_ATTEMPTS", "cache_dir", "kafka_classpath", "kafka_pom", "kafka_version"]

_POM_NS = "{http://maven.apache.org/POM/4.0.0}"
MVN_ATTEMPTS = 3


def cache_dir() -> Path:
    """Where downloaded tools live: `$SCHAKEL_CACHE_DIR` or `<repo>/.cache`."""
    configured = os.environ.get("SCHAKEL_CACHE_DIR")
    return Path(configured) if configured else repo_root() / ".cache"


def kafka_pom() -> Path:
    return repo_root() / "deploy" / "kafka" / "pom.xml"


def kafka_version(pom: Path | None = None) -> str:
    """The `kafka.version` property of the pom that pins the broker."""
    root = ET.parse(pom or kafka_pom()).getroot()
    node = root.find(f"{_POM_NS}properties/{_POM_NS}kafka.version")
    if node is None or not (node.text or "").strip():
        raise ServerError(f"no <kafka.version> property in {pom or kafka_pom()}")
    return (node.text or "").strip()


def kafka_classpath() -> Path:
    """Directory holding the broker's jars, fetched from Maven Central on first use.

    A marker file with the pom's hash is written only after a complete download, so an
    interrupted fetch, or a changed pom, is fetched again.
    """
    pom = kafka_pom()
    version = kafka_version(pom)
    home = cache_dir() / f"kafka-{version}"
    libs, marker = home / "libs", home / "complete"
    fingerprint = hashlib.sha256(pom.read_bytes()).hexdigest()
    if marker_text(marker) == fingerprint:
        return libs
    home.mkdir(parents=True, exist_ok=True)
    with file_lock(home / ".lock"):  # `make run` and a test run may start together
        if marker_text(marker) != fingerprint:
            _fetch_kafka_jars(pom, version, libs, marker)
            marker.write_text(fingerprint)
    return libs


def _fetch_kafka_jars(pom: Path, version: str, libs: Path, marker: Path) -> None:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise ServerError(
            "Maven (`mvn`) is needed once to fetch the Kafka broker jars; install it, or point "
            "the tests at a running broker with KAFKA_BOOTSTRAP_SERVERS"
        )
    print(
        f"fetching Apache Kafka {version} jars from Maven Central (first time only)…",
        file=sys.stderr,
        flush=True,
    )
    marker.unlink(missing_ok=True)
    shutil.rmtree(libs, ignore_errors=True)
    started = time.monotonic()
    command = [
        mvn, "-q", "-B", "dependency:copy-dependencies",
        f"-DoutputDirectory={libs}", "-DincludeScope=runtime", "-f", str(pom),
    ]  # fmt: skip
    for attempt in range(1, MVN_ATTEMPTS + 1):
        # A registry hiccup on a fresh machine should not fail a whole test run.
        result = subprocess.run(
            command, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False
        )
        if result.returncode == 0:
            break
        if attempt == MVN_ATTEMPTS:
            raise ServerError(
                f"mvn failed {attempt} times ({result.returncode}):\n{result.stdout}{result.stderr}"
            )
        print(f"mvn failed (attempt {attempt}); retrying", file=sys.stderr, flush=True)
        time.sleep(5 * attempt)
    jars = list(libs.glob("*.jar"))
    size_mib = sum(jar.stat().st_size for jar in jars) / 2**20
    print(
        f"fetched {len(jars)} jars ({size_mib:.0f} MiB) in {time.monotonic() - started:.1f} s",
        file=sys.stderr,
        flush=True,
    )
