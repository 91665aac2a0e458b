"""What the gateway's routes get from the running gateway, as FastAPI dependencies (the
settings, the store and the correlation id come from ``schakel.platform.dependencies``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from schakel.gateway.proxy import Upstreams
from schakel.gateway.ratelimit import Limits
from schakel.gateway.session import SessionCookies
from schakel.gateway.users import UserStore


def upstreams(request: Request) -> Upstreams:
    """The services' base URLs and the one client that talks to them."""
    found: Upstreams = request.app.state.upstreams
    return found


def users(request: Request) -> UserStore | None:
    """The accounts that may log in; None when logins are off (no users file)."""
    found: UserStore | None = request.app.state.users
    return found


def limits(request: Request) -> Limits:
    """The per-client budgets of signals and sign-ins."""
    found: Limits = request.app.state.limits
    return found


def sessions(request: Request) -> SessionCookies:
    """How the owners' pages read and write their session and CSRF cookies."""
    found: SessionCookies = request.app.state.sessions
    return found


Services = Annotated[Upstreams, Depends(upstreams)]
Accounts = Annotated[UserStore | None, Depends(users)]
Budgets = Annotated[Limits, Depends(limits)]
Sessions = Annotated[SessionCookies, Depends(sessions)]
