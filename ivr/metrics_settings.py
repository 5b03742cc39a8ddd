"""[metrics]: who may scrape ``/metrics`` without the bearer token.

The bearer token (IVR_API_TOKEN) always works; ``scrapers`` lists the addresses or
networks (``10.0.0.5``, ``10.1.2.0/24``, ``::1``) of Prometheus servers that scrape
without one. The address is the TCP peer's: a proxy in front is the peer, so list
only scrapers that reach the app directly.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from ivr.sections import Refused, Section, option

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Networks:
    """A list of IP addresses or networks (CIDR), held as their text."""

    def read(self, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise Refused("must be a list of addresses or networks, e.g. ['10.0.0.5']")
        for text in value:
            try:
                ipaddress.ip_network(text.strip(), strict=False)
            except ValueError:
                raise Refused(f"{text!r} is not an IP address or network") from None
        return tuple(v.strip() for v in value)


@dataclass(frozen=True)
class MetricsSettings(Section):
    TABLE = "metrics"

    scrapers: tuple[str, ...] = option((), Networks())

    @property
    def networks(self) -> tuple[Network, ...]:
        return tuple(ipaddress.ip_network(text, strict=False) for text in self.scrapers)
