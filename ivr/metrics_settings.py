"""[metrics]: who may scrape ``/metrics``.

``token`` (IVR_METRICS_TOKEN, environment only) is a scrape-only bearer token: it opens
``/metrics`` and nothing else, so Prometheus need not hold the operator's token
(IVR_API_TOKEN, which also works). ``scrapers`` lists the addresses or networks
(``10.0.0.5``, ``10.1.2.0/24``, ``::1``) of Prometheus servers that scrape without a
token. The address is the TCP peer's: a proxy or NAT in front is the peer (and so is
everyone behind it), so list only scrapers that reach the app directly.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from ivr.http_settings import MIN_TOKEN_LENGTH
from ivr.sections import Refused, Section, Token, option

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
    token: str = option(
        "", Token(MIN_TOKEN_LENGTH), env="IVR_METRICS_TOKEN", file=False, secret=True
    )

    @property
    def networks(self) -> tuple[Network, ...]:
        return tuple(ipaddress.ip_network(text, strict=False) for text in self.scrapers)
