"""FastStream's parser and decoder for the consumers: the record reaches the handler as written.

FastStream's own parser decodes every header value as UTF-8 and its default decoder parses a
body as JSON by content type, both before the handler runs; when either fails it logs, skips
the record, and the offset moves on past it: no dead letter, a hole in the audit. The only
reader of a record here is the contracts' CloudEvents reader, in the handler, which turns
whatever is wrong into a dead letter with the reason. So this parser never raises and this
decoder never decodes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any

from faststream.message import StreamMessage

DefaultParser = Callable[[Any], Awaitable[StreamMessage[Any]]]


async def keep_batch_as_written(records: Any, default: DefaultParser) -> StreamMessage[Any]:
    """FastStream's message around the batch of one poll (a tuple of aiokafka
    ``ConsumerRecord``): FastStream gets header values decoded leniently for its own
    bookkeeping (logs), the handler gets the records themselves, untouched, as
    ``message.raw_message``."""
    readable = tuple(dataclasses.replace(r, headers=_lenient(r.headers)) for r in records)
    message = await default(readable)
    message.raw_message = records
    return message


def _lenient(headers: Any) -> list[tuple[str, bytes]]:
    """Header values that decode as UTF-8 whatever they are: a null value (Kafka allows one)
    becomes empty, bytes that are not UTF-8 become replacement characters."""
    return [
        (str(name), bytes(raw or b"").decode("utf-8", "replace").encode())
        for name, raw in headers or ()
    ]


async def values_as_written(message: StreamMessage[Any]) -> list[bytes]:
    """A batch's bodies as bytes, each never JSON-decoded."""
    body: Any = message.body
    return [bytes(value) for value in body] if isinstance(body, list) else [bytes(body)]
