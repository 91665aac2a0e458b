"""Development tooling for schakel: local servers, the service stack, demo and benchmarks.

Nothing in here is imported by the services themselves.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["repo_root"]


def repo_root() -> Path:
    """The checkout this package lives in (an editable install keeps `__file__` there)."""
    return Path(__file__).resolve().parents[2]
