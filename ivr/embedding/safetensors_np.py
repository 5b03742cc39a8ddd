"""Read a safetensors file into numpy arrays (the format is a JSON header + raw tensors).

Twenty lines instead of a dependency: the format is fixed and documented
(8-byte little-endian header length, a JSON header of dtype/shape/offsets,
then the tensor bytes), and we only need float32 weights.
"""

from __future__ import annotations

import json
import struct

import numpy as np

__all__ = ["SafetensorsError", "read_safetensors"]

_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32}
_MAX_HEADER = 16 << 20


class SafetensorsError(ValueError):
    """The bytes are not a safetensors file this reader understands."""


def read_safetensors(data: bytes) -> dict[str, np.ndarray]:
    """Every tensor in ``data``, as arrays that own their memory (float16 widened to float32)."""
    if len(data) < 8:
        raise SafetensorsError("too short for a safetensors header")
    (size,) = struct.unpack("<Q", data[:8])
    if size > _MAX_HEADER or 8 + size > len(data):
        raise SafetensorsError(f"header length {size} does not fit the file")
    try:
        header = json.loads(data[8 : 8 + size])
    except ValueError as exc:
        raise SafetensorsError(f"header is not JSON: {exc}") from exc
    if not isinstance(header, dict):
        raise SafetensorsError("header is not a JSON object")
    body = memoryview(data)[8 + size :]
    tensors: dict[str, np.ndarray] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        try:
            dtype = _DTYPES[info["dtype"]]
            shape = tuple(int(n) for n in info["shape"])
            start, end = (int(n) for n in info["data_offsets"])
        except (KeyError, TypeError, ValueError) as exc:
            raise SafetensorsError(f"tensor {name!r}: unreadable entry {info!r}") from exc
        count = int(np.prod(shape)) if shape else 1
        if not 0 <= start <= end <= len(body) or end - start != count * np.dtype(dtype).itemsize:
            raise SafetensorsError(f"tensor {name!r}: offsets {start}..{end} do not fit")
        array = np.frombuffer(body[start:end], dtype=dtype).reshape(shape)
        tensors[name] = array.astype(np.float32) if dtype is np.float16 else array.copy()
    return tensors
