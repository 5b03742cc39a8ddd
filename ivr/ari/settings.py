"""[ari]: how the app reaches Asterisk's REST interface and its event WebSocket.

The password never appears in a repr or a log line; credentials in the URL are refused
for the same reason (they belong in IVR_ARI_USER / IVR_ARI_PASSWORD).
"""

from __future__ import annotations

from dataclasses import dataclass

from ivr.sections import TEXT, HttpUrl, Section, option


@dataclass(frozen=True)
class AriSettings(Section):
    TABLE = "ari"

    url: str = option(
        "http://127.0.0.1:8088",
        HttpUrl(put_them="IVR_ARI_USER / IVR_ARI_PASSWORD"),
        env="IVR_ARI_URL",
    )
    user: str = option("ivr101", TEXT, env="IVR_ARI_USER")
    password: str = option("", TEXT, env="IVR_ARI_PASSWORD", secret=True)
    app: str = option("ivr101", TEXT, env="IVR_ARI_APP")  # the Stasis application
    ws_heartbeat: float = 20.0  # seconds between WebSocket pings (not a file setting)
    # Seconds between asking Asterisk whether it still has the app (ivr.ari.stream).
    registration_check: float = 20.0
