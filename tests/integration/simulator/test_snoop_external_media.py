"""Snoop + externalMedia: the 422 race, StasisStart, RTP from the caller's speech."""

from __future__ import annotations

import asyncio
import socket

from ivr.media.rtp import RtpPacket
from tests.integration.simulator.harness import SimClient, eventually


class RtpListener(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.packets: list[RtpPacket] = []

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.packets.append(RtpPacket.parse(data))


async def test_snoop_external_media(client: SimClient) -> None:
    loop = asyncio.get_running_loop()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    transport, listener = await loop.create_datagram_endpoint(RtpListener, sock=sock)
    stream = await client.events()
    try:
        chan = await client.call(stream, "203")
        await client.ari("POST", f"/channels/{chan}/answer", 204)
        _, snoop = await client.ari(
            "POST",
            f"/channels/{chan}/snoop",
            200,
            spy="in",
            app="ivr101",
            snoopId="snoop-1",
            appArgs="snoop",
        )
        assert snoop["state"] == "Up" and snoop["name"].startswith(f"Snoop/{chan}-")
        start = await stream.wait_for("StasisStart", lambda e: e["channel"]["id"] == "snoop-1")
        assert start["args"] == ["snoop"]
        await client.ari("POST", "/bridges", 200, type="mixing", bridgeId="br-asr")
        _, em = await client.ari(
            "POST",
            "/channels/externalMedia",
            200,
            app="ivr101",
            external_host=f"127.0.0.1:{port}",
            format="slin",
            channelId="em-1",
        )
        assert em["name"].startswith(f"UnicastRTP/127.0.0.1:{port}-0x")
        local_port = em["channelvars"]["UNICASTRTP_LOCAL_PORT"]
        assert em["channelvars"]["UNICASTRTP_LOCAL_ADDRESS"] == "127.0.0.1"
        assert await client.ari("POST", "/bridges/br-asr/addChannel", channel="em-1") == (
            422,
            {"message": "Channel not in Stasis application"},
        )
        await stream.wait_for("StasisStart", lambda e: e["channel"]["id"] == "em-1")
        assert [e["dialstatus"] for e in stream.events if e["type"] == "Dial"] == ["", "ANSWER"]
        assert (
            await client.ari("GET", "/channels/em-1/variable", variable="UNICASTRTP_LOCAL_PORT")
        )[1] == {"value": local_port}
        await client.ari("POST", "/bridges/br-asr/addChannel", 204, channel="snoop-1,em-1")
        objects = await client.sim("GET", "/objects")
        assert objects["external_media"] == [int(local_port)]

        async def flowing() -> bool:
            return len(listener.packets) >= 20

        await eventually(flowing)
        first = listener.packets[0]
        assert (first.payload_type, len(first.payload)) == (10, 320)
        await client.ari("DELETE", "/channels/em-1", 204)
        await stream.wait_for("ChannelDestroyed", lambda e: e["channel"]["id"] == "em-1")
        await client.ari("DELETE", "/channels/snoop-1", 204)
        await client.ari("DELETE", "/bridges/br-asr", 204)
        await client.ari("DELETE", f"/channels/{chan}", 204)
        await client.wait_idle()
        assert "ChannelDestroyed" not in stream.types("snoop-1")
    finally:
        transport.close()
        await stream.close()
