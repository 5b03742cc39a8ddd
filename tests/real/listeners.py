"""The sockets a process has bound, read from /proc (no `ss` needed): what a deployment
listens on, for the test that the shipped modules.conf keeps Asterisk off 0.0.0.0."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

TCP_LISTEN = "0A"


@dataclass(frozen=True)
class Listener:
    tcp: bool
    address: str
    port: int

    @property
    def loopback(self) -> bool:
        return ipaddress.ip_address(self.address).is_loopback

    @property
    def ephemeral(self) -> bool:
        low, high = ephemeral_range()
        return low <= self.port <= high


def ephemeral_range() -> tuple[int, int]:
    low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
    return int(low), int(high)


def _address(hex_address: str) -> str:
    raw = bytes.fromhex(hex_address)
    if len(raw) == 4:
        return str(ipaddress.IPv4Address(raw[::-1]))
    # IPv6 in /proc: four 32-bit words, each in host (little-endian) order.
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
    address = ipaddress.IPv6Address(words)
    return str(address.ipv4_mapped or address)


def listeners_of(pid: int) -> list[Listener]:
    """TCP sockets listening and UDP sockets not connected to a peer, bound by ``pid``."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    found = []
    for table in ("tcp", "tcp6", "udp", "udp6"):
        lines = Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]
        for line in lines:
            fields = line.split()
            local, remote, state, inode = fields[1], fields[2], fields[3], fields[9]
            if inode not in inodes:
                continue
            tcp = table.startswith("tcp")
            if tcp and state != TCP_LISTEN:
                continue
            if not tcp and int(remote.rsplit(":", 1)[1], 16) != 0:
                continue  # a connected UDP socket talks to one peer only
            address, port = local.rsplit(":", 1)
            found.append(Listener(tcp=tcp, address=_address(address), port=int(port, 16)))
    return found
