"""The gateway: schakel's one public base URL. It serves the web pages (the signal form and the
receipt page), issues tokens, publishes one merged OpenAPI document and the AsyncAPI document,
and forwards the public API to the services that own each part."""
