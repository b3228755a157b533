"""MPEG-2 video GOP and picture headers: time code, closed_gop, temporal_reference.

Reading a GOP header's time code is :func:`app.media.source.gop_timecode`'s job (the
probe and the cut read a master's start timecode the one same way); the cut only
writes it, into the GOP headers of the pictures it re-encodes or copies first.

When a copy starts at an open GOP's I picture, the leading B pictures that follow it in
decode order (shown before it, predicted from the previous GOP) are left out of the
copy.  ISO/IEC 13818-2 (6.3.9) numbers the pictures of a GOP in display order from 0
after the GOP header (``temporal_reference``), so the pictures left in that first GOP
are renumbered down by the count of pictures dropped, and its GOP header says
``closed_gop = 1`` (6.3.8: no picture of the GOP is predicted from the previous one,
which is now true).  Muxers that build an index from the bitstream (FFmpeg's MXF muxer
reads ``temporal_reference`` and ``closed_gop`` for its temporal offsets) then index the
copied pictures in their true display order.
"""

from __future__ import annotations

GOP_START = b"\x00\x00\x01\xb8"
PICTURE_START = b"\x00\x00\x01\x00"


def set_gop_timecode(data: bytes, tc: str) -> bytes:
    """Write timecode ``tc`` (``HH:MM:SS:FF`` or ``;FF`` for drop-frame) into every GOP
    header of an MPEG-2 video packet (closed_gop / broken_link bits are kept)."""
    drop = ";" in tc
    hh, mm, ss, ff = (int(x) for x in tc.replace(";", ":").split(":"))
    out = bytearray(data)
    i = out.find(GOP_START)
    while i >= 0 and i + 8 <= len(out):
        v = int.from_bytes(out[i + 4 : i + 8], "big")
        low = v & 0x7F  # closed_gop, broken_link, 5 stuffing bits
        v = (drop << 31) | (hh << 26) | (mm << 20) | (1 << 19) | (ss << 13) | (ff << 7) | low
        out[i + 4 : i + 8] = v.to_bytes(4, "big")
        i = out.find(GOP_START, i + 8)
    return bytes(out)


def has_gop_header(data: bytes) -> bool:
    return data.find(GOP_START) >= 0


def set_closed_gop(data: bytes) -> bytes:
    """Every GOP header of the packet marked ``closed_gop = 1``, ``broken_link = 0``
    (the time code is kept)."""
    out = bytearray(data)
    i = out.find(GOP_START)
    while i >= 0 and i + 8 <= len(out):
        out[i + 7] = (out[i + 7] | 0x40) & ~0x20 & 0xFF
        i = out.find(GOP_START, i + 8)
    return bytes(out)


def temporal_references(data: bytes) -> list[int]:
    """The ``temporal_reference`` of every picture header in the packet."""
    refs = []
    i = data.find(PICTURE_START)
    while i >= 0 and i + 6 <= len(data):
        refs.append(data[i + 4] << 2 | data[i + 5] >> 6)
        i = data.find(PICTURE_START, i + 6)
    return refs


def shift_temporal_references(data: bytes, by: int) -> bytes:
    """Every picture header's ``temporal_reference`` lowered by ``by``.

    Raises ``ValueError`` if a picture would get a negative number (it would have been
    shown before the first one kept: the stream is not what the cut expects).
    """
    out = bytearray(data)
    i = out.find(PICTURE_START)
    while i >= 0 and i + 6 <= len(out):
        ref = (out[i + 4] << 2 | out[i + 5] >> 6) - by
        if not 0 <= ref < 1024:
            raise ValueError(f"temporal_reference {ref + by} cannot be lowered by {by}")
        out[i + 4] = ref >> 2
        out[i + 5] = (ref & 3) << 6 | (out[i + 5] & 0x3F)
        i = out.find(PICTURE_START, i + 6)
    return bytes(out)
