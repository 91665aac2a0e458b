"""The Kafka version pinned in the pom, and the ids a fresh KRaft storage is formatted with."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from schakel_dev.jars import kafka_pom, kafka_version
from schakel_dev.kafka_server import new_cluster_id
from schakel_dev.processes import ServerError

POM = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <properties>{properties}</properties>
</project>
"""


def test_the_version_is_the_pom_property(tmp_path: Path) -> None:
    pom = tmp_path / "pom.xml"
    pom.write_text(POM.format(properties="<other>1</other><kafka.version> 3.9.1 </kafka.version>"))
    assert kafka_version(pom) == "3.9.1"


@pytest.mark.parametrize("properties", ["", "<kafka.version> </kafka.version>"])
def test_a_pom_without_a_version_is_an_error(tmp_path: Path, properties: str) -> None:
    pom = tmp_path / "pom.xml"
    pom.write_text(POM.format(properties=properties))
    with pytest.raises(ServerError, match=r"no <kafka\.version> property"):
        kafka_version(pom)


def test_the_repository_pins_a_release() -> None:
    assert kafka_pom().is_file()
    assert re.fullmatch(r"\d+\.\d+\.\d+", kafka_version())


def test_cluster_ids_are_fresh_url_safe_uuids_that_do_not_read_as_flags() -> None:
    ids = [new_cluster_id() for _ in range(2000)]  # about 30 would start with "-" unguarded
    assert len(set(ids)) == len(ids)
    for cluster_id in ids:
        assert re.fullmatch(r"[A-Za-z0-9_-]{22}", cluster_id)
        assert not cluster_id.startswith("-")
