"""``python -m schakel.audit``: the service; ``… replay``: rebuild every read model from the
archive and compare it with the live one (docs/audit.md)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from schakel.audit import rebuild
from schakel.audit.app import build, settings
from schakel.platform.logging import configure_logging
from schakel.platform.runtime import serve


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m schakel.audit", description=__doc__)
    commands = top.add_subparsers(dest="command")
    commands.add_parser("serve", help="run the audit service (the default)")
    replay = commands.add_parser(
        "replay",
        help="rebuild every read model from the archive into fresh databases and compare",
        description="Uses the SCHAKEL_* environment of the services (MongoDB, rule set, "
        "deadline policy). Resumes after the last checkpoint unless --restart.",
    )
    replay.add_argument("--restart", action="store_true", help="drop the replay databases first")
    replay.add_argument("--no-compare", action="store_true", help="rebuild only")
    replay.add_argument("--show", type=int, default=50, help="differences shown per collection")
    replay.add_argument("--prefix", default=rebuild.PREFIX, help="replay database name prefix")
    replay.add_argument(
        "--service", action="append", default=[], help="only this service (repeatable)"
    )
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    config = settings()
    if args.command in (None, "serve"):
        serve(build(config), config)
        return 0
    configure_logging("audit-replay", "WARNING")
    options = rebuild.Options(
        mongodb_uri=config.mongodb_uri,
        archive_database=config.database_name,
        prefix=args.prefix,
        restart=args.restart,
        compare=not args.no_compare,
        show=args.show,
        services=tuple(args.service),
    )
    return asyncio.run(rebuild.run(options, sys.stdout))
