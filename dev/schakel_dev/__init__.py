"""Development tooling for schakel: local servers, the service stack, demo and benchmarks.

Nothing in here is imported by the services themselves.
"""
