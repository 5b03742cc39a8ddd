"""G.711 u-law / A-law and slin byte order, in pure Python (``audioop`` is gone in 3.13).

The arithmetic follows the ITU-T G.191 reference implementation of G.711 (``g711.c``
in the ITU Software Tool Library): 16-bit left-justified input, one's complement for
negative samples, so the quantiser is symmetric around -0.5 and -1 encodes as "minus
zero". Decoding matches every common implementation (Asterisk, sox, Sun g711.c);
encoding differs from some of them only on a few exact decision boundaries.

Everything is table driven so that hundreds of 20 ms frames per second stay cheap:

* decode: two 256-entry ``bytes.translate`` tables (low byte, high byte of the
  sample) interleaved with extended-slice assignment, all in C;
* encode: one 65536-entry table indexed by the sample as unsigned 16-bit, applied
  with ``map`` over a ``memoryview`` cast to ``'H'``.

PCM is 16-bit signed in the machine's native byte order (what ``array('h')`` holds);
RTP ``slin`` is big-endian, hence the ``slin_*_network`` helpers.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Callable
from typing import TypeAlias

from ivr.media import MediaError

_LITTLE = sys.byteorder == "little"

Pcm: TypeAlias = "bytes | bytearray | memoryview | array[int]"


# ---------------------------------------------------------------------------
# Scalar reference functions (G.191 g711.c), used to build the tables and by tests.


def ulaw_compress_sample(x: int) -> int:
    """One 16-bit sample to a u-law code (G.191 ``ulaw_compress``)."""
    absno = ((~x) >> 2) + 33 if x < 0 else (x >> 2) + 33
    absno = min(absno, 0x1FFF)
    i = absno >> 6
    segno = 1
    while i:
        segno += 1
        i >>= 1
    high = 8 - segno
    low = 0x0F - ((absno >> segno) & 0x0F)
    code = (high << 4) | low
    if x >= 0:
        code |= 0x80
    return code


def ulaw_expand_code(code: int) -> int:
    """One u-law code to a 16-bit sample (G.191 ``ulaw_expand``)."""
    sign = -1 if code < 0x80 else 1
    mantissa = ~code
    exponent = (mantissa >> 4) & 0x07
    segment = exponent + 1
    mantissa &= 0x0F
    step = 4 << segment
    return sign * ((0x80 << exponent) + step * mantissa + step // 2 - 4 * 33)


def alaw_compress_sample(x: int) -> int:
    """One 16-bit sample to an A-law code (G.191 ``alaw_compress``)."""
    ix = (~x) >> 4 if x < 0 else x >> 4
    if ix > 15:
        iexp = 1
        while ix > 16 + 15:
            ix >>= 1
            iexp += 1
        ix -= 16
        ix += iexp << 4
    if x >= 0:
        ix |= 0x80
    return ix ^ 0x55


def alaw_expand_code(code: int) -> int:
    """One A-law code to a 16-bit sample (G.191 ``alaw_expand``)."""
    ix = (code ^ 0x55) & 0x7F
    iexp = ix >> 4
    mant = ix & 0x0F
    if iexp > 0:
        mant += 16
    mant = (mant << 4) + 0x08
    if iexp > 1:
        mant <<= iexp - 1
    return mant if code > 127 else -mant


# ---------------------------------------------------------------------------
# Tables, built once at import (about 60 ms for both encoders; see the report).


def _decode_tables(expand: Callable[[int], int]) -> tuple[bytes, bytes, array[int]]:
    values = array("h", (expand(c) for c in range(256)))
    lo = bytes(v & 0xFF for v in values)
    hi = bytes((v >> 8) & 0xFF for v in values)
    return lo, hi, values


def _encode_table(compress: Callable[[int], int]) -> bytes:
    # Indexed by the sample reinterpreted as unsigned 16-bit.
    return bytes(compress(u - 0x10000 if u & 0x8000 else u) for u in range(0x10000))


_ULAW_LO, _ULAW_HI, ULAW_VALUES = _decode_tables(ulaw_expand_code)
_ALAW_LO, _ALAW_HI, ALAW_VALUES = _decode_tables(alaw_expand_code)
_ULAW_ENC = _encode_table(ulaw_compress_sample)
_ALAW_ENC = _encode_table(alaw_compress_sample)


def _as_u16(pcm: Pcm) -> memoryview:
    view = memoryview(pcm).cast("B")
    if len(view) % 2:
        raise MediaError(f"PCM must be whole 16-bit samples, not {len(view)} bytes", "pcm-odd")
    return view.cast("H")


def _decode(data: bytes | bytearray | memoryview, lo: bytes, hi: bytes) -> bytes:
    codes = bytes(data)
    out = bytearray(2 * len(codes))
    first, second = (lo, hi) if _LITTLE else (hi, lo)
    out[0::2] = codes.translate(first)
    out[1::2] = codes.translate(second)
    return bytes(out)


def encode_with_table(pcm: Pcm, table: bytes) -> bytes:
    """Map every 16-bit native sample through a 65536-entry byte table.

    Exposed so callers can fold other per-sample work (e.g. a gain) into the table.
    """
    return bytes(map(table.__getitem__, _as_u16(pcm)))


def ulaw_encode(pcm: Pcm) -> bytes:
    """16-bit native-endian PCM to u-law, one byte per sample."""
    return bytes(map(_ULAW_ENC.__getitem__, _as_u16(pcm)))


def ulaw_decode(data: bytes | bytearray | memoryview) -> bytes:
    """u-law to 16-bit native-endian PCM."""
    return _decode(data, _ULAW_LO, _ULAW_HI)


def alaw_encode(pcm: Pcm) -> bytes:
    """16-bit native-endian PCM to A-law, one byte per sample."""
    return bytes(map(_ALAW_ENC.__getitem__, _as_u16(pcm)))


def alaw_decode(data: bytes | bytearray | memoryview) -> bytes:
    """A-law to 16-bit native-endian PCM."""
    return _decode(data, _ALAW_LO, _ALAW_HI)


def ulaw_table() -> bytes:
    """The u-law encode table (index: sample as unsigned 16-bit)."""
    return _ULAW_ENC


def alaw_table() -> bytes:
    """The A-law encode table (index: sample as unsigned 16-bit)."""
    return _ALAW_ENC


def slin_to_network(pcm: Pcm) -> bytes:
    """Native 16-bit PCM to big-endian, as RTP slin carries it (PT 10 in Asterisk)."""
    data = bytes(memoryview(pcm).cast("B"))
    if len(data) % 2:
        raise MediaError(f"PCM must be whole 16-bit samples, not {len(data)} bytes", "pcm-odd")
    if not _LITTLE:
        return data
    out = bytearray(len(data))
    out[0::2] = data[1::2]
    out[1::2] = data[0::2]
    return bytes(out)


def slin_from_network(data: bytes | bytearray | memoryview) -> bytes:
    """Big-endian RTP slin payload to native 16-bit PCM (the swap is its own inverse)."""
    return slin_to_network(data)


__all__ = [
    "ALAW_VALUES",
    "ULAW_VALUES",
    "alaw_compress_sample",
    "alaw_decode",
    "alaw_encode",
    "alaw_expand_code",
    "alaw_table",
    "encode_with_table",
    "slin_from_network",
    "slin_to_network",
    "ulaw_compress_sample",
    "ulaw_decode",
    "ulaw_encode",
    "ulaw_expand_code",
    "ulaw_table",
]
