"""[media]: where Asterisk's ExternalMedia RTP reaches the app, and in which format."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ivr.sections import TEXT, Choice, Section, option


class MediaCodec(StrEnum):
    SLIN = "slin"  # 16-bit linear, 8 kHz
    ULAW = "ulaw"
    ALAW = "alaw"


@dataclass(frozen=True)
class ExternalMediaSettings(Section):
    TABLE = "media"

    bind: str = option("127.0.0.1", TEXT)  # where our UDP socket listens
    advertise: str = option("127.0.0.1", TEXT)  # the app's address as Asterisk sees it
    codec: MediaCodec = option(MediaCodec.SLIN, Choice(MediaCodec))
