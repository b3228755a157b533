"""NAL units of H.264 and HEVC, as the smart-cut engine needs them.

Find the NAL unit types of a packet (length-prefixed as in MP4/MOV, or Annex B as in
MPEG-TS), convert an encoder's Annex B output to the length-prefixed form of the
master, read parameter sets out of ``avcC``/``hvcC`` extradata, rename an HEVC CRA
picture to BLA, read the SPS/PPS ids of H.264 parameter sets, renumber x265's HEVC
parameter sets and build an ``hvcC`` holding them.
"""

from __future__ import annotations

import contextlib
import re

H264_IDR = 5
H264_SPS = 7
H264_PPS = 8

HEVC_BLA_N_LP = 18
HEVC_CRA = 21
HEVC_IRAP = range(16, 22)  # BLA_W_LP .. CRA_NUT (22, 23 are reserved IRAP)
HEVC_VPS = 32
HEVC_SPS = 33
HEVC_PPS = 34
HEVC_PARAMETER_SETS = (HEVC_VPS, HEVC_SPS, HEVC_PPS)


def split_annexb(data: bytes) -> list[bytes]:
    """NAL units (without start codes) of an Annex B byte string."""
    nals: list[bytes] = []
    n = len(data)
    i = data.find(b"\x00\x00\x01")
    while 0 <= i < n:
        start = i + 3
        j = data.find(b"\x00\x00\x01", start)
        end = n if j < 0 else j
        nal_end = end
        # trailing zero bytes belong to the next start code (00 00 00 01) or are padding
        while nal_end > start and data[nal_end - 1] == 0:
            nal_end -= 1
        if nal_end > start:
            nals.append(data[start:nal_end])
        i = j
    return nals


def split_length_prefixed(data: bytes, length_size: int = 4) -> list[bytes]:
    """NAL units of a length-prefixed (MP4 sample) byte string."""
    nals: list[bytes] = []
    i = 0
    n = len(data)
    while i + length_size <= n:
        size = int.from_bytes(data[i : i + length_size], "big")
        i += length_size
        if size <= 0 or i + size > n:
            break
        nals.append(data[i : i + size])
        i += size
    return nals


def split(data: bytes, length_size: int | None) -> list[bytes]:
    """NAL units of a packet: length-prefixed when ``length_size`` is given, else Annex B."""
    return split_length_prefixed(data, length_size) if length_size else split_annexb(data)


def join(nals: list[bytes], length_size: int | None) -> bytes:
    """A packet of ``nals``: length-prefixed when ``length_size`` is given, else Annex B."""
    return to_length_prefixed(nals, length_size) if length_size else to_annexb(nals)


def is_annexb(data: bytes) -> bool:
    return data[:3] == b"\x00\x00\x01" or data[:4] == b"\x00\x00\x00\x01"


def to_length_prefixed(nals: list[bytes], length_size: int = 4) -> bytes:
    return b"".join(len(nal).to_bytes(length_size, "big") + nal for nal in nals)


def to_annexb(nals: list[bytes]) -> bytes:
    return b"".join(b"\x00\x00\x00\x01" + nal for nal in nals)


def h264_type(nal: bytes) -> int:
    return nal[0] & 0x1F


def hevc_type(nal: bytes) -> int:
    return (nal[0] >> 1) & 0x3F


class _Bits:
    """Exp-Golomb reader over an RBSP (emulation prevention bytes removed)."""

    def __init__(self, data: bytes):
        self.data = data.replace(b"\x00\x00\x03", b"\x00\x00")
        self.pos = 0

    def bit(self) -> int:
        byte = self.data[self.pos >> 3]
        value = (byte >> (7 - (self.pos & 7))) & 1
        self.pos += 1
        return value

    def bits(self, n: int) -> int:
        value = 0
        for _ in range(n):
            value = (value << 1) | self.bit()
        return value

    def ue(self) -> int:
        zeros = 0
        while self.bit() == 0:
            zeros += 1
            if zeros > 31:
                raise ValueError("bad exp-Golomb code")
        return (1 << zeros) - 1 + self.bits(zeros)


def avcc_info(extradata: bytes | None) -> tuple[int, list[bytes]] | None:
    """``(nal_length_size, [SPS..., PPS...])`` of an ``avcC`` record, or None if Annex B."""
    if not extradata or len(extradata) < 7 or extradata[0] != 1:
        return None
    length_size = (extradata[4] & 3) + 1
    nals: list[bytes] = []
    i = 5
    count = extradata[i] & 0x1F
    i += 1
    for _ in range(count):
        size = int.from_bytes(extradata[i : i + 2], "big")
        nals.append(extradata[i + 2 : i + 2 + size])
        i += 2 + size
    count = extradata[i]
    i += 1
    for _ in range(count):
        size = int.from_bytes(extradata[i : i + 2], "big")
        nals.append(extradata[i + 2 : i + 2 + size])
        i += 2 + size
    return length_size, nals


def hvcc_info(extradata: bytes | None) -> tuple[int, list[bytes]] | None:
    """``(nal_length_size, [VPS..., SPS..., PPS..., SEI...])`` of an ``hvcC`` record."""
    if not extradata or len(extradata) < 23 or extradata[0] != 1:
        return None
    length_size = (extradata[21] & 3) + 1
    nals: list[bytes] = []
    arrays = extradata[22]
    i = 23
    for _ in range(arrays):
        i += 1  # array_completeness / NAL type
        count = int.from_bytes(extradata[i : i + 2], "big")
        i += 2
        for _ in range(count):
            size = int.from_bytes(extradata[i : i + 2], "big")
            nals.append(extradata[i + 2 : i + 2 + size])
            i += 2 + size
    return length_size, nals


def parameter_sets(codec: str, extradata: bytes | None) -> tuple[int | None, list[bytes]]:
    """NAL length size (None for Annex B extradata) and the parameter-set NAL units."""
    info = avcc_info(extradata) if codec == "h264" else hvcc_info(extradata)
    if info is not None:
        return info
    if extradata and is_annexb(extradata):
        return None, split_annexb(extradata)
    return None, []


def h264_sps_ids(nals: list[bytes]) -> set[int]:
    ids = set()
    for nal in nals:
        if nal and h264_type(nal) == H264_SPS and len(nal) > 4:
            with contextlib.suppress(IndexError, ValueError):
                ids.add(_Bits(nal[4:]).ue())
    return ids


def h264_pps_ids(nals: list[bytes]) -> set[int]:
    ids = set()
    for nal in nals:
        if nal and h264_type(nal) == H264_PPS and len(nal) > 1:
            with contextlib.suppress(IndexError, ValueError):
                ids.add(_Bits(nal[1:]).ue())
    return ids


def nal_types(codec: str, data: bytes, length_size: int | None) -> list[int]:
    nals = split(data, length_size)
    if codec == "h264":
        return [h264_type(n) for n in nals if n]
    return [hevc_type(n) for n in nals if n]


def h264_disposable(data: bytes, length_size: int | None) -> bool:
    """Whether an H.264 access unit is a non-reference picture (every slice has
    ``nal_ref_idc`` 0): no other picture is predicted from it, so a decoder may skip it."""
    slices = [n for n in split(data, length_size) if n and 1 <= h264_type(n) <= 5]
    return bool(slices) and all(n[0] & 0x60 == 0 for n in slices)


def hevc_cra_to_bla(data: bytes, length_size: int | None) -> bytes:
    """Rename the CRA slices of a packet to BLA_N_LP (its leading pictures are dropped)."""
    nals = split(data, length_size)
    out = []
    for nal in nals:
        if nal and hevc_type(nal) == HEVC_CRA:
            nal = bytes([(HEVC_BLA_N_LP << 1) | (nal[0] & 0x81)]) + nal[1:]
        out.append(nal)
    return join(out, length_size)


# ---------------------------------------------------------------- HEVC parameter-set ids
#
# x265 numbers its VPS, SPS and PPS 0, like most masters, and has no option to do
# otherwise.  For the re-encoded pictures and the master's to share one ``hvcC`` (so the
# track can be ``hvc1``, parameter sets out of band), the encoder's sets are renumbered.
# An id 0 is the one-bit Exp-Golomb code ``1``; ids 15..30 take exactly nine bits.  So
# the rewrite inserts exactly one byte's worth of bits: everything after the field keeps
# its place within the byte, the slice header's byte alignment still holds, and the
# slice data that follows is the very same bytes, one position later.


def unescape(nal: bytes) -> bytes:
    """The RBSP of a NAL unit: emulation prevention bytes removed."""
    return nal.replace(b"\x00\x00\x03", b"\x00\x00")


def escape(rbsp: bytes) -> bytes:
    """Emulation prevention bytes put back (after any 00 00 followed by 00..03)."""
    out = re.sub(rb"\x00\x00(?=[\x00-\x03])", b"\x00\x00\x03", rbsp)
    if out.endswith(b"\x00"):
        out += b"\x03"
    return out


def _bit(rbsp: bytes, pos: int) -> int:
    return (rbsp[pos >> 3] >> (7 - (pos & 7))) & 1


def _widen_ue0(rbsp: bytes, pos: int, value: int) -> bytes:
    """Replace the ue(v) 0 (a single 1 bit) at bit ``pos`` by the nine-bit ue(``value``)."""
    if not 15 <= value <= 30 or _bit(rbsp, pos) != 1:
        raise ValueError("not an id 0")
    size = len(rbsp) * 8
    whole = int.from_bytes(rbsp, "big")
    head = whole >> (size - pos)
    rest = whole & ((1 << (size - pos - 1)) - 1)
    new = (((head << 9) | (value + 1)) << (size - pos - 1)) | rest
    return new.to_bytes(len(rbsp) + 1, "big")


def _set_u4(rbsp: bytes, value: int) -> bytes:
    """Set the 4-bit field at the start of an RBSP (vps_video_parameter_set_id)."""
    return bytes([(value << 4) | (rbsp[0] & 0x0F)]) + rbsp[1:]


def hevc_ids(nals: list[bytes]) -> dict[int, set[int]]:
    """The VPS, SPS and PPS ids used by some HEVC parameter-set NAL units."""
    ids: dict[int, set[int]] = {HEVC_VPS: set(), HEVC_SPS: set(), HEVC_PPS: set()}
    for nal in nals:
        kind = hevc_type(nal) if len(nal) > 2 else -1
        with contextlib.suppress(IndexError, ValueError):
            if kind == HEVC_VPS:
                ids[kind].add(nal[2] >> 4)
            elif kind == HEVC_SPS:
                bits = _Bits(nal[2:])
                bits.pos = 104  # vps id, max_sub_layers, nesting, profile_tier_level
                ids[kind].add(bits.ue())
            elif kind == HEVC_PPS:
                ids[kind].add(_Bits(nal[2:]).ue())
    return ids


def hevc_renumber(nal: bytes, vps_id: int, sps_id: int, pps_id: int) -> bytes:
    """A parameter set or slice NAL unit of x265 (ids all 0) with the ids given
    (``sps_id`` and ``pps_id`` in 15..30).  Raises ValueError for anything else: a
    profile_tier_level with sub-layers, an id that is not 0."""
    kind = hevc_type(nal)
    header, rbsp = nal[:2], unescape(nal[2:])
    if kind == HEVC_VPS:
        if rbsp[0] >> 4 != 0:
            raise ValueError("VPS id is not 0")
        rbsp = _set_u4(rbsp, vps_id)
    elif kind == HEVC_SPS:
        if rbsp[0] >> 4 != 0 or (rbsp[0] >> 1) & 7 != 0:
            raise ValueError("SPS with a VPS id other than 0, or sub-layers")
        rbsp = _widen_ue0(_set_u4(rbsp, vps_id), 104, sps_id)
    elif kind == HEVC_PPS:
        rbsp = _widen_ue0(_widen_ue0(rbsp, 0, pps_id), 9, sps_id)  # pps id, then sps id
    elif kind < 32:  # a slice segment: first_slice_segment_in_pic_flag
        pos = 2 if kind in range(16, 24) else 1  # IRAP: no_output_of_prior_pics_flag
        rbsp = _widen_ue0(rbsp, pos, pps_id)
    else:
        return nal
    return header + escape(rbsp)


def hvcc_with(hvcc: bytes, nals: list[bytes]) -> bytes:
    """An ``hvcC`` record with the header (profile, level, NAL length size...) of
    ``hvcc`` and the NAL units ``nals`` in its arrays, parameter sets marked complete.

    Written here rather than left to the muxer: given Annex B extradata, FFmpeg's MOV
    muxer would also take the (length-prefixed) samples for Annex B.
    """
    arrays: dict[int, list[bytes]] = {}
    for nal in nals:
        arrays.setdefault(hevc_type(nal), []).append(nal)
    out = bytearray(hvcc[:22])
    out.append(len(arrays))
    for kind in sorted(arrays):
        complete = 0x80 if kind in HEVC_PARAMETER_SETS else 0
        out.append(complete | kind)
        out += len(arrays[kind]).to_bytes(2, "big")
        for nal in arrays[kind]:
            out += len(nal).to_bytes(2, "big") + nal
    return bytes(out)
