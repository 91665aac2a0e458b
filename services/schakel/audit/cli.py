"""``python -m schakel.audit``: the service; ``… replay``: rebuild every read model from the
archive and compare it with the live one; ``… verify``: check every chain, the head records
and the signed checkpoints; ``… checkpoint``, ``… checkpoints``, ``… public-key``: write a
head record and sign it now, export them, the key to keep with them (docs/audit.md)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from schakel.audit import outside, rebuild
from schakel.audit.app import AuditSettings, build, settings
from schakel.audit.checkpointing import CheckpointWriter
from schakel.audit.domain.checkpoints import Checkpoint, public_key_of, public_key_text
from schakel.platform.logging import configure_logging
from schakel.platform.mongo import MongoStore
from schakel.platform.runtime import serve
from schakel.platform.settings import UnsafeSettings


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
    verify = commands.add_parser(
        "verify",
        help="check every partition's hash chain, the head records and signed checkpoints",
        description="Without --checkpoints: the checkpoints stored in MongoDB, checked with "
        "the configured key. An outside party gives the file and the public key it kept.",
    )
    verify.add_argument("--checkpoints", help="a file of checkpoints, one JSON line each")
    verify.add_argument("--public-key", help="base64 of the Ed25519 public key kept with them")
    commands.add_parser("checkpoint", help="write a head record and sign a checkpoint of it now")
    commands.add_parser("checkpoints", help="print every stored checkpoint as JSON lines")
    commands.add_parser("public-key", help="print the public key that verifies checkpoints")
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    config = settings()
    if args.command in (None, "serve"):
        serve(build(config), config)
        return 0
    configure_logging("audit-cli", "WARNING", sys.stderr)  # stdout is the answer
    if args.command == "replay":
        return _replay(args, config)
    try:
        args.kept = _kept(getattr(args, "checkpoints", None))
    except (OSError, ValueError) as exc:
        print(f"verify: {exc}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_checkpoint_command(args, config))
    except UnsafeSettings as exc:  # no signing key outside development: say so, no traceback
        print(f"{args.command}: {exc}", file=sys.stderr)
        return 2


def _replay(args: argparse.Namespace, config: AuditSettings) -> int:
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


async def _checkpoint_command(args: argparse.Namespace, config: AuditSettings) -> int:
    store = MongoStore(config.mongodb_uri, config.database_name)
    try:
        if args.command == "public-key":
            print(public_key_text(config.signing_key().public_key()))
            return 0
        if args.command == "checkpoints":
            await outside.export(store, sys.stdout)
            return 0
        if args.command == "checkpoint":
            written = await CheckpointWriter(store, config.signing_key()).write_once()
            print(written.to_line() if written else "checkpoint: no chain moved since the last")
            return 0
        return await _verify(args, config, store)
    finally:
        await store.close()


async def _verify(args: argparse.Namespace, config: AuditSettings, store: MongoStore) -> int:
    try:
        key = (
            public_key_of(args.public_key) if args.public_key else config.signing_key().public_key()
        )
        kept: list[Checkpoint] | None = args.kept
        checkpoints = kept if kept is not None else await outside.stored_checkpoints(store)
    except ValueError as exc:
        print(f"verify: {exc}", file=sys.stderr)
        return 2
    return await outside.verify(store, checkpoints, key, sys.stdout)


def _kept(path: str | None) -> list[Checkpoint] | None:
    """The checkpoints of the file an outside party kept (None: none given)."""
    if path is None:
        return None
    with open(path, encoding="utf-8") as lines:
        return outside.read_checkpoints(lines)
