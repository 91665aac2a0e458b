"""What comes twice, on the real servers: an event the audit receives again is archived once
(the platform's processed-events marker, not a fake's copy of it), and a redriven record that
fails again is dead-lettered with one set of dead-letter headers, those of its new failure."""

from __future__ import annotations

import pytest

from schakel.audit.adapters import ARCHIVE, MongoArchive, ensure_indexes
from schakel.audit.handlers import on_every_record, verify_archive
from schakel.contracts.kafka_binding import to_record
from schakel.platform.metrics import EVENTS_CONSUMED
from schakel.platform.redrive import REDRIVEN_FROM, redrive
from tests.integration.rig import Recorder, Rig, event_for, read_all

pytestmark = pytest.mark.integration


async def test_an_event_the_audit_receives_again_is_archived_once(rig: Rig) -> None:
    await ensure_indexes(rig.store)
    first, again, last = event_for("ref-twice"), event_for("ref-twice"), event_for("ref-twice")
    # A relay that published ``again`` twice (killed before removing it) and a copy later.
    await rig.publish(to_record(first), to_record(again), to_record(again), to_record(last))
    await rig.publish(to_record(again))
    duplicates = EVENTS_CONSUMED.labels(event_type=again.type, outcome="duplicate")
    before = duplicates._value.get()

    async def all_done() -> bool:
        return await rig.committed() == 5

    await rig.consume(on_every_record, all_done)
    archived = await rig.store.db[ARCHIVE].find({}, sort=[("seq", 1)]).to_list()
    assert [(a["_id"], a["seq"]) for a in archived] == [(first.id, 1), (again.id, 2), (last.id, 3)]
    assert duplicates._value.get() - before == 2
    check = await verify_archive(MongoArchive(rig.store))
    assert (check.report.intact, check.archived) == (True, 3)


async def test_a_redriven_record_that_fails_again_has_only_its_new_failure_in_its_headers(
    rig: Rig,
) -> None:
    poison = event_for("ref-again")
    await rig.publish(to_record(poison))

    async def handled(count: int) -> bool:
        return await rig.committed() == count

    await rig.consume(Recorder(fail_times=3, error=ValueError), lambda: handled(1))
    [first] = await rig.dead_letters(1)
    assert (await redrive(rig.settings)).republished == 1
    [_, back] = await read_all(rig.settings.kafka_bootstrap_servers, rig.topic, 2)
    # Back on its topic as the producer wrote it, plus where it was redriven from.
    assert [k for k, _ in back.headers if k.startswith("dlq-")] == []
    where = f"{first.topic}/{first.partition}/{first.offset}"
    assert dict(back.headers)[REDRIVEN_FROM] == where.encode()
    assert [(k, v) for k, v in back.headers if k != REDRIVEN_FROM] == [
        (k, v) for k, v in first.headers if not k.startswith("dlq-")
    ]

    still_broken = Recorder(fail_times=3, error=KeyError)  # the fix did not work
    await rig.consume(still_broken, lambda: handled(2))
    [_, second] = await rig.dead_letters(2)
    names = [k for k, _ in second.headers]
    dlq = [k for k in names if k.startswith("dlq-")]
    assert sorted(dlq) == sorted(set(dlq)), f"a dead-letter header twice: {names}"
    headers = {k: v.decode() for k, v in second.headers}
    assert headers["dlq-reason"] == "handler-failed"
    assert headers["dlq-error"].startswith("KeyError(")  # the new failure, not the first one
    assert headers["dlq-origin-offset"] == str(back.offset)
    assert headers[REDRIVEN_FROM] == where
    assert headers["ce_id"] == poison.id
