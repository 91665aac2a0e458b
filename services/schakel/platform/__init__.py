"""The small platform every schakel service shares: settings, logging, Kafka and MongoDB wiring,
idempotent consumption, the transactional outbox, dead letters, health, metrics and auth."""
