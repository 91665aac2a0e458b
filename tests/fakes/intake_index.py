"""Intake's blind index of open referrals in memory (``person_index.PersonIndex``), mixed
into ``FakeIntakeRecords``; kept to ``MongoPersonIndex`` by
``tests/integration/test_intake_adapters.py``."""

from __future__ import annotations

import copy
from dataclasses import replace

from schakel.intake.duplicates import PersonKeys
from schakel.intake.person_index import EntryState, IndexEntry


class FakePersonIndex:
    person_index: dict[str, IndexEntry]

    async def index(self, entry: IndexEntry) -> None:
        if entry.entry_id in self.person_index:
            raise ValueError(f"duplicate index entry {entry.entry_id}")
        self.person_index[entry.entry_id] = copy.deepcopy(entry)

    async def open_candidates(self, blocks: tuple[str, ...]) -> dict[str, PersonKeys]:
        wanted = set(blocks)
        return {
            entry_id: entry.keys
            for entry_id, entry in self.person_index.items()
            if entry.state is EntryState.OPEN and wanted & set(entry.keys.blocks)
        }

    async def index_entry(self, entry_id: str) -> IndexEntry | None:
        return self.person_index.get(entry_id)

    async def held_for(self, referral_id: str) -> list[IndexEntry]:
        held = [
            entry
            for entry in self.person_index.values()
            if entry.state is EntryState.HELD and entry.suspected_of == referral_id
        ]
        return sorted(held, key=lambda entry: entry.entry_id)

    async def open_entry(self, entry_id: str) -> None:
        if (entry := self.person_index.get(entry_id)) is not None:
            self.person_index[entry_id] = replace(
                entry, state=EntryState.OPEN, suspected_of=None, received=None
            )

    async def unindex(self, entry_id: str) -> None:
        self.person_index.pop(entry_id, None)
