"""Per-client budgets at the one public entry: signals (the form and the API share
one budget), sign-ins per client address and failed sign-ins per username.

Each budget is a token bucket per key: ``requests`` at once, refilled evenly over ``seconds``.
A request over budget is answered 429 with ``Retry-After``. The buckets live in the gateway's
memory: several gateway instances each keep their own, so the budget a client really gets is
the configured one times the number of instances it reaches.

The client is the address the connection comes from. Behind a reverse proxy that is the
proxy's address, so ``X-Forwarded-For`` is read, but only when the connection comes from a
configured trusted proxy (anyone can send the header): the client is then the right-most
address in it that is not itself a trusted proxy. IPv6 clients are counted per /64, the block
one home or phone usually has.
"""

from __future__ import annotations

import ipaddress
import math
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import JSONResponse

Clock = Callable[[], float]
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
BUDGET = re.compile(r"^\s*([1-9][0-9]*)\s*/\s*([0-9]+(?:\.[0-9]+)?)\s*$")
OFF = "off"
# Enough for every client of a busy hour; beyond it the least recently seen are forgotten.
MAX_KEYS = 10_000


@dataclass(frozen=True)
class Budget:
    requests: int
    seconds: float

    @classmethod
    def parse(cls, text: str) -> Budget | None:
        """``"20/600"``: 20 requests at once, one more every 30 s; ``"off"``: no limit."""
        if text.strip().lower() == OFF:
            return None
        match = BUDGET.match(text)
        if match is None or float(match[2]) <= 0:
            raise ValueError(f"a rate limit is '<requests>/<seconds>' or '{OFF}', not {text!r}")
        return cls(int(match[1]), float(match[2]))


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    """One token bucket per key, all with the same budget."""

    def __init__(self, budget: Budget, clock: Clock = time.monotonic) -> None:
        self.budget = budget
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def _bucket(self, key: str) -> _Bucket:
        now = self._clock()
        bucket = self._buckets.pop(key, None) or _Bucket(float(self.budget.requests), now)
        rate = self.budget.requests / self.budget.seconds
        bucket.tokens = min(self.budget.requests, bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        self._buckets[key] = bucket  # most recently used last
        while len(self._buckets) > MAX_KEYS:
            self._buckets.popitem(last=False)
        return bucket

    def wait(self, key: str) -> float:
        """Seconds until ``key`` may go on (0: now), taking nothing."""
        missing = 1.0 - self._bucket(key).tokens
        return max(0.0, missing * self.budget.seconds / self.budget.requests)

    def take(self, key: str) -> float:
        """Take one request from ``key``'s budget; if it has none left, take nothing and
        return the seconds until it has (0: taken)."""
        if (waiting := self.wait(key)) > 0:
            return waiting
        self._buckets[key].tokens -= 1.0
        return 0.0


def retry_after(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))


def too_many(seconds: float, what: str) -> JSONResponse:
    """The API's 429: what was over budget and when to try again."""
    wait = retry_after(seconds)
    return JSONResponse(
        status_code=429,
        content={"detail": f"too many {what}; please try again in {wait} s"},
        headers={"Retry-After": wait},
    )


def networks(text: str) -> tuple[Network, ...]:
    """``"10.0.0.5, 192.168.0.0/16"``: the trusted proxies, as addresses or networks."""
    parts = (part.strip() for part in text.split(","))
    return tuple(ipaddress.ip_network(part, strict=False) for part in parts if part)


class ClientAddresses:
    """Who a request comes from, for counting (see the module's text)."""

    def __init__(self, trusted_proxies: Iterable[Network] = ()) -> None:
        self.trusted = tuple(trusted_proxies)

    def _trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address.strip())
        except ValueError:
            return False
        return any(ip in network for network in self.trusted)

    def of(self, request: Request) -> str:
        peer = request.client.host if request.client else "unknown"
        if self._trusted(peer):
            forwarded = ",".join(request.headers.getlist("x-forwarded-for")).split(",")
            hops = [hop.strip() for hop in forwarded if hop.strip()]
            for hop in reversed(hops):
                peer = hop
                if not self._trusted(hop):
                    break
        return _counted(peer)


def _counted(address: str) -> str:
    """IPv6 per /64; anything that is no address (as a proxy may pass on) as given, bounded."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class Limits:
    """The gateway's budgets; a budget that is off lets everything through."""

    def __init__(
        self,
        signals: Budget | None,
        sign_in: Budget | None,
        sign_in_per_username: Budget | None,
        clients: ClientAddresses,
        clock: Clock = time.monotonic,
    ) -> None:
        self.clients = clients
        self._signals = TokenBuckets(signals, clock) if signals else None
        self._sign_in = TokenBuckets(sign_in, clock) if sign_in else None
        self._failed = TokenBuckets(sign_in_per_username, clock) if sign_in_per_username else None

    def signal(self, request: Request) -> float:
        """Take one signal from the client's budget; seconds to wait, or 0."""
        return self._signals.take(self.clients.of(request)) if self._signals else 0.0

    def sign_in(self, request: Request) -> float:
        """Take one sign-in attempt from the client's budget; seconds to wait, or 0."""
        return self._sign_in.take(self.clients.of(request)) if self._sign_in else 0.0

    def username_wait(self, username: str) -> float:
        """Seconds until ``username`` may be tried again after failed sign-ins (0: now)."""
        return self._failed.wait(username.casefold()) if self._failed else 0.0

    def sign_in_failed(self, username: str) -> None:
        if self._failed:
            self._failed.take(username.casefold())
