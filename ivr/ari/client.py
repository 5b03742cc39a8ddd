"""A thin typed ARI REST client on one aiohttp ClientSession.

Written against the Asterisk 22 Swagger docs and the golden traces instead of
using a library that fetches the spec at run time. Every id (channel,
playback, snoop, bridge) is chosen by the app so it can subscribe before the
object exists and so a retried request cannot create a twin.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import aiohttp

from ivr.ari.errors import AriUnavailable, http_error
from ivr.ari.models import AsteriskInfo, Bridge, Channel, JsonObject, Playback

log = logging.getLogger(__name__)

Params = Mapping[str, str | int]


class AriClient:
    """REST side of ARI. The WebSocket side (EventStream) shares its session."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        username: str,
        password: str,
        *,
        request_timeout: float = 10.0,
    ) -> None:
        self._session = session
        self._base = base_url.rstrip("/") + "/ari"
        self._auth_headers = {"Authorization": aiohttp.encode_basic_auth(username, password)}
        self._timeout = aiohttp.ClientTimeout(total=request_timeout)

    @property
    def http(self) -> aiohttp.ClientSession:
        return self._session

    @property
    def auth_headers(self) -> dict[str, str]:
        """The Authorization header; never logged."""
        return self._auth_headers

    @property
    def events_url(self) -> str:
        """ws:// URL of /ari/events; credentials travel in the Authorization header only."""
        return self._base.replace("http://", "ws://", 1).replace("https://", "wss://", 1) + (
            "/events"
        )

    async def request(
        self,
        method: str,
        path: str,
        params: Params | None = None,
        body: JsonObject | None = None,
    ) -> Any:
        """Send one request; return the decoded JSON (None for 204) or raise an AriError."""
        query = {k: str(v) for k, v in (params or {}).items()}
        try:
            async with self._session.request(
                method,
                self._base + path,
                params=query,
                json=body,
                headers=self._auth_headers,
                timeout=self._timeout,
            ) as resp:
                if resp.status == 204:
                    return None
                text = await resp.text()
                data: Any = None
                if text and "json" in resp.headers.get("Content-Type", ""):
                    try:
                        data = await resp.json(content_type=None)
                    except ValueError:
                        data = None
                if resp.status >= 400:
                    message = ""
                    if isinstance(data, dict):
                        message = str(data.get("message") or data.get("error") or "")
                    raise http_error(method, path, resp.status, message or text[:200])
                return data
        except (aiohttp.ClientConnectionError, TimeoutError) as exc:
            raise AriUnavailable(f"{method} {path}: {type(exc).__name__}: {exc}") from exc

    # --- asterisk / applications -------------------------------------------------

    async def asterisk_info(self) -> AsteriskInfo:
        return AsteriskInfo.from_json(await self.request("GET", "/asterisk/info"))

    async def get_application(self, name: str) -> JsonObject:
        data: JsonObject = await self.request("GET", f"/applications/{name}")
        return data

    # --- channels ----------------------------------------------------------------

    async def list_channels(self) -> list[Channel]:
        data = await self.request("GET", "/channels")
        return [Channel.from_json(c) for c in data or [] if isinstance(c, dict)]

    async def get_channel(self, channel_id: str) -> Channel:
        return Channel.from_json(await self.request("GET", f"/channels/{channel_id}"))

    async def answer(self, channel_id: str) -> None:
        await self.request("POST", f"/channels/{channel_id}/answer")

    async def hangup(self, channel_id: str, reason: str = "normal") -> None:
        await self.request("DELETE", f"/channels/{channel_id}", {"reason": reason})

    async def ring(self, channel_id: str) -> None:
        await self.request("POST", f"/channels/{channel_id}/ring")

    async def ring_stop(self, channel_id: str) -> None:
        await self.request("DELETE", f"/channels/{channel_id}/ring")

    async def start_moh(self, channel_id: str, moh_class: str = "default") -> None:
        await self.request("POST", f"/channels/{channel_id}/moh", {"mohClass": moh_class})

    async def stop_moh(self, channel_id: str) -> None:
        await self.request("DELETE", f"/channels/{channel_id}/moh")

    async def hold(self, channel_id: str) -> None:
        await self.request("POST", f"/channels/{channel_id}/hold")

    async def unhold(self, channel_id: str) -> None:
        await self.request("DELETE", f"/channels/{channel_id}/hold")

    async def play(
        self, channel_id: str, playback_id: str, media: Sequence[str], lang: str = "en"
    ) -> Playback:
        return await self._play(f"/channels/{channel_id}/play", playback_id, media, lang)

    async def _play(self, path: str, playback_id: str, media: Sequence[str], lang: str) -> Playback:
        """ARI wants a media list as ONE comma-separated parameter (repeated keys: last wins)."""
        params = {"media": ",".join(media), "playbackId": playback_id, "lang": lang}
        return Playback.from_json(await self.request("POST", path, params))

    async def get_variable(self, channel_id: str, variable: str) -> str:
        data = await self.request("GET", f"/channels/{channel_id}/variable", {"variable": variable})
        return str(data.get("value", "")) if isinstance(data, dict) else ""

    async def set_variable(self, channel_id: str, variable: str, value: str) -> None:
        await self.request(
            "POST", f"/channels/{channel_id}/variable", {"variable": variable, "value": value}
        )

    async def snoop(
        self, channel_id: str, snoop_id: str, app: str, *, spy: str = "in", app_args: str = ""
    ) -> Channel:
        params: dict[str, str | int] = {"spy": spy, "app": app, "snoopId": snoop_id}
        if app_args:
            params["appArgs"] = app_args
        return Channel.from_json(
            await self.request("POST", f"/channels/{channel_id}/snoop", params)
        )

    async def external_media(
        self, channel_id: str, app: str, external_host: str, fmt: str = "slin"
    ) -> Channel:
        return Channel.from_json(
            await self.request(
                "POST",
                "/channels/externalMedia",
                {
                    "channelId": channel_id,
                    "app": app,
                    "external_host": external_host,
                    "format": fmt,
                },
            )
        )

    async def originate(
        self,
        endpoint: str,
        channel_id: str,
        app: str,
        *,
        app_args: str = "",
        caller_id: str = "",
        timeout: int = 30,
    ) -> Channel:
        """Dial ``endpoint`` into the app; StasisStart comes when it answers."""
        params: dict[str, str | int] = {
            "endpoint": endpoint,
            "channelId": channel_id,
            "app": app,
            "timeout": timeout,
        }
        if app_args:
            params["appArgs"] = app_args
        if caller_id:
            params["callerId"] = caller_id
        return Channel.from_json(await self.request("POST", "/channels", params))

    async def create_channel(
        self, endpoint: str, channel_id: str, app: str, *, app_args: str = ""
    ) -> Channel:
        """Create without dialling: StasisStart comes at once (state Down), then ``dial``."""
        params: dict[str, str | int] = {"endpoint": endpoint, "channelId": channel_id, "app": app}
        if app_args:
            params["appArgs"] = app_args
        return Channel.from_json(await self.request("POST", "/channels/create", params))

    async def dial(self, channel_id: str, *, caller: str = "", timeout: int = 30) -> None:
        params: dict[str, str | int] = {"timeout": timeout}
        if caller:
            params["caller"] = caller
        await self.request("POST", f"/channels/{channel_id}/dial", params)

    async def continue_in_dialplan(
        self, channel_id: str, context: str = "", extension: str = "", priority: int = 0
    ) -> None:
        """Leave Stasis; with no location, go on at the priority after Stasis()."""
        params: dict[str, str | int] = {}
        if context:
            params["context"] = context
        if extension:
            params["extension"] = extension
        if priority:
            params["priority"] = priority
        await self.request("POST", f"/channels/{channel_id}/continue", params)

    async def redirect(self, channel_id: str, endpoint: str) -> None:
        await self.request("POST", f"/channels/{channel_id}/redirect", {"endpoint": endpoint})

    # --- bridges -----------------------------------------------------------------

    async def create_bridge(self, bridge_id: str, name: str = "", kind: str = "mixing") -> Bridge:
        params: dict[str, str | int] = {"type": kind, "bridgeId": bridge_id}
        if name:
            params["name"] = name
        return Bridge.from_json(await self.request("POST", "/bridges", params))

    async def list_bridges(self) -> list[Bridge]:
        data = await self.request("GET", "/bridges")
        return [Bridge.from_json(b) for b in data or [] if isinstance(b, dict)]

    async def get_bridge(self, bridge_id: str) -> Bridge:
        return Bridge.from_json(await self.request("GET", f"/bridges/{bridge_id}"))

    async def add_channels(self, bridge_id: str, channel_ids: Sequence[str]) -> None:
        await self.request(
            "POST", f"/bridges/{bridge_id}/addChannel", {"channel": ",".join(channel_ids)}
        )

    async def remove_channels(self, bridge_id: str, channel_ids: Sequence[str]) -> None:
        await self.request(
            "POST", f"/bridges/{bridge_id}/removeChannel", {"channel": ",".join(channel_ids)}
        )

    async def start_bridge_moh(self, bridge_id: str, moh_class: str = "default") -> None:
        await self.request("POST", f"/bridges/{bridge_id}/moh", {"mohClass": moh_class})

    async def stop_bridge_moh(self, bridge_id: str) -> None:
        await self.request("DELETE", f"/bridges/{bridge_id}/moh")

    async def play_on_bridge(
        self, bridge_id: str, playback_id: str, media: Sequence[str], lang: str = "en"
    ) -> Playback:
        return await self._play(f"/bridges/{bridge_id}/play", playback_id, media, lang)

    async def destroy_bridge(self, bridge_id: str) -> None:
        await self.request("DELETE", f"/bridges/{bridge_id}")

    # --- playbacks ---------------------------------------------------------------

    async def get_playback(self, playback_id: str) -> Playback:
        return Playback.from_json(await self.request("GET", f"/playbacks/{playback_id}"))

    async def stop_playback(self, playback_id: str) -> None:
        await self.request("DELETE", f"/playbacks/{playback_id}")
