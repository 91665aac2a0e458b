"""schakel: routes every signal of loneliness to the right help and reports back.

One import root. ``contracts`` (the published events) and ``platform`` (config, logging, Kafka
and MongoDB wiring, idempotency, outbox) are shared; every other subpackage is one service with
its own ``domain``, ``handlers``, ``adapters`` and entrypoint (``python -m schakel.<service>``).
"""
