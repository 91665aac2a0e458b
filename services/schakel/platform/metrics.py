"""Prometheus metrics shared by every service (served at /metrics)."""

from prometheus_client import Counter, Gauge, Histogram

EVENTS_CONSUMED = Counter(
    "schakel_events_consumed_total",
    "Events read from Kafka, by type and outcome (applied, duplicate, ignored)",
    ["event_type", "outcome"],
)
DEAD_LETTERED = Counter(
    "schakel_events_dead_lettered_total", "Records sent to the dead-letter topic", ["reason"]
)
HANDLER_SECONDS = Histogram(
    "schakel_handler_seconds", "Time to apply one event, including its transaction", ["event_type"]
)
OUTBOX_PUBLISHED = Counter("schakel_outbox_published_total", "Outbox rows relayed to Kafka")
OUTBOX_PENDING = Gauge("schakel_outbox_pending", "Outbox rows seen waiting at the last relay pass")
HTTP_REQUESTS = Counter(
    "schakel_http_requests_total",
    "HTTP requests by route and status",
    ["method", "route", "status"],
)
MONGO_COMMANDS = Counter(
    "schakel_mongo_commands_total",
    "Commands this process sent to MongoDB (each a round trip), by command and collection",
    ["command", "collection"],
)
