"""Fast construction of Arrow columns from numpy arrays (no per-row Python objects)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

_DIGITS36 = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", dtype=np.uint8)
_DIGITS10 = np.frombuffer(b"0123456789", dtype=np.uint8)
ID_MULTIPLIER = 2_654_435_761  # odd and not a multiple of 3: a bijection modulo 36**k


def coded_strings(
    prefix: str | NDArray[np.uint8],
    values: NDArray[np.integer],
    width: int,
    base: int = 36,
    null: NDArray[np.bool_] | None = None,
) -> pa.StringArray:
    """prefix + zero-padded base-36 (or base-10) digits of each value, as one Arrow array.

    `prefix` is a string, or one prefix character (uint8) per row.
    """
    v = np.asarray(values, dtype=np.int64)
    n = len(v)
    if isinstance(prefix, str):
        pre = np.frombuffer(prefix.encode(), dtype=np.uint8)
        k = len(pre)
        buf = np.empty((n, k + width), dtype=np.uint8)
        buf[:, :k] = pre
    else:
        k = 1
        buf = np.empty((n, 1 + width), dtype=np.uint8)
        buf[:, 0] = prefix
    digits = _DIGITS36 if base == 36 else _DIGITS10
    # two digits per division, from a table of the base**2 digit pairs (as 16-bit words):
    # half the integer divisions and byte scatters of one digit at a time
    pairs = np.empty((base * base, 2), dtype=np.uint8)
    pairs[:, 0] = np.repeat(digits[:base], base)
    pairs[:, 1] = np.tile(digits[:base], base)
    pair_words = pairs.view(np.uint16).reshape(-1)
    pos = k + width
    while pos - k >= 2:
        v, r = np.divmod(v, base * base)
        buf[:, pos - 2 : pos].view(np.uint16)[:, 0] = pair_words[r]
        pos -= 2
    if pos > k:
        buf[:, k] = digits[v % base]
    offsets = np.arange(0, (n + 1) * (k + width), k + width, dtype=np.int32)
    validity = None
    if null is not None and null.any():
        validity = pa.py_buffer(np.packbits(~null, bitorder="little"))
    return pa.StringArray.from_buffers(
        n, pa.py_buffer(offsets), pa.py_buffer(buf.reshape(-1)), validity
    )


def scrambled(values: NDArray[np.integer], width: int) -> NDArray[np.int64]:
    """Bijective scrambling of non-negative ids below 36**width (pseudonymised look)."""
    mod = 36**width
    out: NDArray[np.int64] = (np.asarray(values, dtype=np.int64) * ID_MULTIPLIER + 12_345_678) % mod
    return out


def decimal_array(cents: NDArray[np.integer], precision: int = 12, scale: int = 2) -> pa.Array:
    """DECIMAL(precision, scale) from integer cents, built from the raw 128-bit buffer."""
    c = np.asarray(cents, dtype=np.int64)
    buf = np.empty((len(c), 2), dtype=np.int64)
    buf[:, 0] = c
    buf[:, 1] = np.where(c < 0, -1, 0)
    return pa.Array.from_buffers(pa.decimal128(precision, scale), len(c), [None, pa.py_buffer(buf)])


def date_array(days: NDArray[np.integer], null: NDArray[np.bool_] | None = None) -> pa.Array:
    arr = pa.array(np.asarray(days, dtype=np.int32), type=pa.int32(), mask=null)
    return arr.cast(pa.date32())


def lookup_strings(
    labels: list[str], index: NDArray[np.integer], null: NDArray[np.bool_] | None = None
) -> pa.Array:
    """labels[index] as a string array (via a dictionary, decoded)."""
    idx = pa.array(np.asarray(index, dtype=np.int32), type=pa.int32(), mask=null)
    return pa.DictionaryArray.from_arrays(idx, pa.array(labels, type=pa.string())).cast(pa.string())
