"""In-memory fakes of the services' ports (``adapters.*Store`` protocols), one module per
service. Unit tests use them instead of MongoDB; the adapter contract suites in
``tests/integration/test_*_adapters.py`` run the same test bodies against a fake and against
the Mongo adapter, so a fake cannot drift from what the real adapter does."""
