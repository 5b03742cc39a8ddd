"""[ha]: active/standby nodes sharing one database (docs/deployment.md, "Two nodes").

Off by default: a single node connects to Asterisk at once. On, every node for the
same Asterisk and ARI application runs with the same ``[store] db`` (PostgreSQL, or a
SQLite file on one machine); the one holding the lease answers calls.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

from ivr.sections import FLAG, TEXT, ConfigError, Number, Section, option

SECONDS = Number(unit="seconds")
# Renewals per lease: a renewal may fail twice (a slow database) before the lease runs out.
RENEWALS_PER_LEASE = 3


def default_node() -> str:
    """Unique per process: a restarted process waits for its predecessor's lease like
    any standby, so two processes can never both believe they hold it."""
    return f"{socket.gethostname()}-{os.getpid()}"


@dataclass(frozen=True)
class HaSettings(Section):
    TABLE = "ha"

    enabled: bool = option(False, FLAG, env="IVR_HA")
    node: str = option("", TEXT, env="IVR_HA_NODE")  # "" = host name and process id
    lease_s: float = option(5.0, SECONDS)  # how long a dead node keeps the calls unheard

    @property
    def node_name(self) -> str:
        return self.node or default_node()

    @property
    def renew_every_s(self) -> float:
        return self.lease_s / RENEWALS_PER_LEASE

    def validate(self) -> None:
        if self.lease_s < 1.0:
            raise ConfigError("[ha] lease_s must be at least 1 second (renewals are a third)")
