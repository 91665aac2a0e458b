"""Every diff ``mutmut show`` would print, in one process: run in ``.mutation/`` with mutant names
on stdin (one a line), it prints a JSON object of name to diff. ``mutmut show`` once per mutant
re-reads mutmut's whole state each time (seconds per mutant, an hour for the report)."""

from __future__ import annotations

import json
import sys

from mutmut.mutation.data import SourceFileMutationData
from mutmut.mutation.diff_apply import get_diff_for_mutant
from mutmut.utils.file_utils import walk_mutatable_files


def diffs(names: set[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for path in walk_mutatable_files():
        data = SourceFileMutationData(path=path)
        data.load()
        for name in names.intersection(data.exit_code_by_key):
            found[name] = get_diff_for_mutant(name, path=data.path)
    return found


if __name__ == "__main__":
    json.dump(diffs({line.strip() for line in sys.stdin if line.strip()}), sys.stdout)
