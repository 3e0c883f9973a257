"""A page's fixed parts deflated once, joined with per-request fillings into one valid gzip member
without compressing anything again.

Each fixed part is deflated by its own compressor and ended with a sync flush, so it refers to no
byte outside itself and ends on a byte boundary; a filling (a CSRF token, a name: a few dozen bytes)
goes between them as a stored block, copied as is. The gzip trailer needs the CRC-32 of the whole
page: zlib's crc32 is affine in its starting value (crc32(part, s) = crc32(part, 0) ^ shift(s),
shift linear), so each part keeps its CRC and a table of its shift, and a request pays four
lookups per part instead of reading the page's bytes. RFC 1951 (blocks), RFC 1952 (the member)."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence

# ID1 ID2, deflate, no flags, no modification time, no extra flags, OS "unknown".
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
LAST_BLOCK = b"\x03\x00"  # an empty final block (fixed Huffman codes): the stream ends here
STORED_BLOCK_MAX = 0xFFFF
LEVEL = 6  # zlib's default; 9 saves about 1 % on these pages for twice the time, once per page version


def deflate_part(data: bytes, level: int = LEVEL) -> bytes:
    """`data` as raw deflate blocks, not final, ending on a byte boundary and referring to nothing
    before them."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)


def stored_blocks(data: bytes) -> bytes:
    """`data` copied into stored (uncompressed) blocks, not final."""
    blocks = []
    for start in range(0, len(data), STORED_BLOCK_MAX):
        chunk = data[start:start + STORED_BLOCK_MAX]
        blocks.append(b"\x00" + struct.pack("<HH", len(chunk), len(chunk) ^ 0xFFFF) + chunk)
    return b"".join(blocks)


class CrcShift:
    """The linear map s ↦ crc32(n zero bytes, s) ^ crc32(n zero bytes, 0): what n bytes do to a
    starting CRC, as four tables of 256 entries (one per byte of s)."""

    __slots__ = ("tables",)

    def __init__(self, length: int) -> None:
        zeros = bytes(length)
        base = zlib.crc32(zeros, 0)
        columns = [zlib.crc32(zeros, 1 << bit) ^ base for bit in range(32)]
        self.tables = []
        for byte in range(4):
            table = [0] * 256
            for value in range(1, 256):
                lowest = (value & -value).bit_length() - 1
                table[value] = table[value & (value - 1)] ^ columns[8 * byte + lowest]
            self.tables.append(table)

    def __call__(self, crc: int) -> int:
        t0, t1, t2, t3 = self.tables
        return t0[crc & 0xFF] ^ t1[(crc >> 8) & 0xFF] ^ t2[(crc >> 16) & 0xFF] ^ t3[crc >> 24]


class SplicedGzip:
    """Fixed parts (the page between its slots), deflated once; `filled` makes the gzip member of
    the page with the given fillings between them. It is stored as `stored()` (compressed parts,
    their CRCs and lengths) and made again by `from_stored`; the CRC tables are built in each
    process at its first `filled`."""

    __slots__ = ("segments", "crcs", "lengths", "_shifts")

    def __init__(self, segments: Sequence[bytes], crcs: Sequence[int], lengths: Sequence[int]) -> None:
        self.segments = tuple(segments)
        self.crcs = tuple(crcs)
        self.lengths = tuple(lengths)
        self._shifts: tuple[CrcShift, ...] | None = None

    @classmethod
    def of(cls, parts: Sequence[bytes]) -> SplicedGzip:
        return cls([deflate_part(part) for part in parts], [zlib.crc32(part) for part in parts],
                   [len(part) for part in parts])

    def stored(self) -> tuple:
        return self.segments, self.crcs, self.lengths

    @classmethod
    def from_stored(cls, stored: tuple) -> SplicedGzip:
        return cls(*stored)

    @property
    def size(self) -> int:
        """Bytes held (the compressed parts), for a cache's budget."""
        return sum(map(len, self.segments))

    def filled(self, fillings: Sequence[bytes]) -> bytes:
        """One gzip member: the parts with `fillings` between them (one fewer than the parts)."""
        if len(fillings) != len(self.segments) - 1:
            raise ValueError(f"{len(self.segments)} parts take {len(self.segments) - 1} fillings, not {len(fillings)}")
        if self._shifts is None:
            self._shifts = tuple(CrcShift(length) for length in self.lengths[1:])
        crc, size = self.crcs[0], self.lengths[0]
        pieces = [GZIP_HEADER, self.segments[0]]
        for filling, segment, part_crc, length, shift in zip(
                fillings, self.segments[1:], self.crcs[1:], self.lengths[1:], self._shifts):
            crc = part_crc ^ shift(zlib.crc32(filling, crc))
            size += len(filling) + length
            pieces += (stored_blocks(filling), segment)
        pieces += (LAST_BLOCK, struct.pack("<II", crc, size & 0xFFFFFFFF))
        return b"".join(pieces)
