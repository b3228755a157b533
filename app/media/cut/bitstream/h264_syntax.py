"""H.264 slice headers read and written again, for :mod:`.h264_opengop`.

The sequence and picture parameter sets are read for the fields a slice header depends
on; a slice header is parsed up to its end (:func:`parse_slice`, noting where the
fields the rewrite changes sit) and written back with a new frame_num, an IDR's fields,
new reference list modifications and new memory-management operations
(:func:`write_slice`).  Headers are parsed and written on the RBSP; CABAC slice data is
copied byte for byte after the alignment bits, CAVLC data is shifted bitwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.media.cut.bitstream import nal as nal_units

_HIGH_PROFILES = {100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135}
_P, _B, _I, _SP, _SI = 0, 1, 2, 3, 4
INTRA_SLICES = (_I, _SI)  # slice_type % 5 of I and SI slices
_MMCO_ARGS = {1: 1, 2: 1, 3: 2, 4: 1, 5: 0, 6: 1}  # ue(v) fields after each operation


class Unsupported(ValueError):
    """The stream uses a feature this rewrite does not handle."""


class Reader:
    def __init__(self, rbsp: bytes):
        self.data = rbsp
        self.pos = 0

    def u(self, n: int) -> int:
        value = 0
        for _ in range(n):
            byte = self.data[self.pos >> 3]  # IndexError past the end
            value = (value << 1) | ((byte >> (7 - (self.pos & 7))) & 1)
            self.pos += 1
        return value

    def ue(self) -> int:
        zeros = 0
        while self.u(1) == 0:
            zeros += 1
            if zeros > 31:
                raise Unsupported("bad exp-Golomb code")
        return (1 << zeros) - 1 + self.u(zeros)

    def se(self) -> int:
        k = self.ue()
        return (k + 1) // 2 if k & 1 else -(k // 2)


class Writer:
    def __init__(self):
        self.value = 0
        self.n = 0

    def u(self, width: int, value: int) -> None:
        self.value = (self.value << width) | value
        self.n += width

    def ue(self, value: int) -> None:
        x = value + 1
        self.u(2 * x.bit_length() - 1, x)


@dataclass
class Sps:
    log2_max_frame_num: int
    poc_type: int
    log2_max_poc_lsb: int
    max_num_ref_frames: int
    gaps_allowed: bool
    frame_mbs_only: bool
    separate_colour_plane: bool
    chroma_array_type: int


@dataclass
class Pps:
    sps_id: int
    cabac: bool
    bottom_field_pic_order: bool
    num_slice_groups: int
    l0_default: int
    l1_default: int
    weighted_pred: bool
    weighted_bipred_idc: int
    deblocking_control: bool
    redundant_pic_cnt: bool


def _skip_scaling_list(r: Reader, size: int) -> None:
    last = nxt = 8
    for _ in range(size):
        if nxt:
            nxt = (last + r.se() + 256) % 256
        last = nxt or last


def parse_sps(nal: bytes) -> tuple[int, Sps]:
    r = Reader(nal_units.unescape(nal[1:]))
    profile = r.u(8)
    r.u(16)
    sps_id = r.ue()
    chroma = 1
    separate = False
    if profile in _HIGH_PROFILES:
        chroma = r.ue()
        if chroma == 3:
            separate = bool(r.u(1))
        r.ue()
        r.ue()
        r.u(1)
        if r.u(1):
            for i in range(12 if chroma == 3 else 8):
                if r.u(1):
                    _skip_scaling_list(r, 16 if i < 6 else 64)
    log2_fn = r.ue() + 4
    poc_type = r.ue()
    log2_poc = 0
    if poc_type == 0:
        log2_poc = r.ue() + 4
    elif poc_type == 1:
        r.u(1)
        r.se()
        r.se()
        for _ in range(r.ue()):
            r.se()
    max_refs = r.ue()
    gaps = bool(r.u(1))
    r.ue()
    r.ue()
    frame_mbs_only = bool(r.u(1))
    return sps_id, Sps(
        log2_fn, poc_type, log2_poc, max_refs, gaps, frame_mbs_only, separate,
        0 if separate else chroma,
    )  # fmt: skip


def parse_pps(nal: bytes) -> tuple[int, Pps]:
    r = Reader(nal_units.unescape(nal[1:]))
    pps_id = r.ue()
    sps_id = r.ue()
    cabac = bool(r.u(1))
    bfpo = bool(r.u(1))
    groups = r.ue() + 1
    if groups > 1:
        raise Unsupported("several slice groups")
    l0 = r.ue() + 1
    l1 = r.ue() + 1
    wp = bool(r.u(1))
    wb = r.u(2)
    r.se()
    r.se()
    r.se()
    dbk = bool(r.u(1))
    r.u(1)
    red = bool(r.u(1))
    return pps_id, Pps(sps_id, cabac, bfpo, groups, l0, l1, wp, wb, dbk, red)


@dataclass
class Slice:
    ref_idc: int
    slice_type: int
    frame_num: int
    fn_pos: tuple[int, int]
    after_fn: int  # where idr_pic_id would go (after field flags)
    mod_pos: tuple[int, int]
    mods: list[list[tuple[int, int]]]  # per list: (idc, value) commands
    mark_pos: tuple[int, int]
    adaptive: bool
    mmcos: list[tuple[int, ...]]  # (op, its fields...)
    first_mb: int
    active: tuple[int, int]
    sps: Sps = field(repr=False, default=None)
    pps: Pps = field(repr=False, default=None)
    header_end: int = 0


# ---------------------------------------------------------------- slice headers read


def parse_slice(nal: bytes, rbsp: bytes, sps_by_id: dict[int, Sps], pps_by_id: dict[int, Pps]):
    """The header of slice ``nal`` (its RBSP ``rbsp``, or the start of it)."""
    r = Reader(rbsp)
    ref_idc = (nal[0] >> 5) & 3
    first_mb = r.ue()
    st = r.ue() % 5
    pps = pps_by_id.get(r.ue())
    if pps is None or pps.sps_id not in sps_by_id:
        raise Unsupported("slice refers to an unknown PPS")
    sps = sps_by_id[pps.sps_id]
    idr = nal_units.h264_type(nal) == nal_units.H264_IDR
    frame_num, fn_pos, after_fn = _read_frame_num(r, sps)
    l0, l1 = _read_active_refs(r, sps, pps, st, idr)
    mod_start = r.pos
    mods = _read_list_modifications(r, st)
    mod_pos = (mod_start, r.pos)
    _skip_pred_weight_table(r, sps, pps, st, l0, l1)
    mark_start = r.pos
    adaptive, mmcos = _read_marking(r, ref_idc, idr)
    s = Slice(
        ref_idc, st, frame_num, fn_pos, after_fn, mod_pos, mods, (mark_start, r.pos),
        adaptive, mmcos, first_mb, (l0, l1), sps, pps,
    )  # fmt: skip
    _skip_to_slice_data(r, pps, st)
    s.header_end = r.pos
    return s


def _read_frame_num(r: Reader, sps: Sps) -> tuple[int, tuple[int, int], int]:
    """frame_num, where it is, and where idr_pic_id would go (after the field flags)."""
    if sps.separate_colour_plane:
        r.u(2)
    a = r.pos
    frame_num = r.u(sps.log2_max_frame_num)
    fn_pos = (a, r.pos)
    if not sps.frame_mbs_only and r.u(1):
        raise Unsupported("field pictures")
    return frame_num, fn_pos, r.pos


def _read_active_refs(r: Reader, sps: Sps, pps: Pps, st: int, idr: bool) -> tuple[int, int]:
    """From idr_pic_id to num_ref_idx_active_override: the active reference counts."""
    if idr:
        r.ue()
    r.u(sps.log2_max_poc_lsb)
    if pps.bottom_field_pic_order:
        r.se()
    if pps.redundant_pic_cnt and r.ue():
        raise Unsupported("redundant pictures")
    if st == _B:
        r.u(1)
    l0, l1 = pps.l0_default, pps.l1_default
    if st in (_P, _SP, _B) and r.u(1):
        l0 = r.ue() + 1
        if st == _B:
            l1 = r.ue() + 1
    return l0, l1


def _read_list_modifications(r: Reader, st: int) -> list[list[tuple[int, int]] | None]:
    """ref_pic_list_modification: per list, its (idc, value) commands or None."""
    mods: list[list[tuple[int, int]] | None] = []
    for _ in range({_I: 0, _SI: 0, _B: 2}.get(st, 1)):
        if not r.u(1):
            mods.append(None)
            continue
        cmds: list[tuple[int, int]] = []
        while (idc := r.ue()) != 3:
            if idc > 2:
                raise Unsupported("bad ref_pic_list_modification")
            cmds.append((idc, r.ue()))
        mods.append(cmds)
    return mods


def _skip_pred_weight_table(r: Reader, sps: Sps, pps: Pps, st: int, l0: int, l1: int) -> None:
    if not ((pps.weighted_pred and st in (_P, _SP)) or (pps.weighted_bipred_idc == 1 and st == _B)):
        return
    r.ue()
    if sps.chroma_array_type:
        r.ue()
    for n in (l0, l1) if st == _B else (l0,):
        for _ in range(n):
            if r.u(1):
                r.se()
                r.se()
            if sps.chroma_array_type and r.u(1):
                for _ in range(4):
                    r.se()


def _read_marking(r: Reader, ref_idc: int, idr: bool) -> tuple[bool, list[tuple[int, ...]]]:
    """dec_ref_pic_marking: (adaptive, the memory-management operations)."""
    adaptive = False
    mmcos: list[tuple[int, ...]] = []
    if ref_idc:
        if idr:
            r.u(2)
        elif r.u(1):
            adaptive = True
            while (op := r.ue()) != 0:
                if op > 6:
                    raise Unsupported("bad MMCO")
                mmcos.append((op, *(r.ue() for _ in range(_MMCO_ARGS[op]))))
    return adaptive, mmcos


def _skip_to_slice_data(r: Reader, pps: Pps, st: int) -> None:
    if pps.cabac and st not in (_I, _SI):
        r.ue()
    r.se()
    if st in (_SP, _SI):
        if st == _SP:
            r.u(1)
        r.se()
    if pps.deblocking_control and r.ue() != 1:
        r.se()
        r.se()


# ---------------------------------------------------------------- slice headers written


class _Bits:
    """Bit ranges of an RBSP, as (width, value) for :meth:`Writer.u`."""

    def __init__(self, rbsp: bytes):
        self.total = len(rbsp) * 8
        self.big = int.from_bytes(rbsp, "big")

    def __call__(self, a: int, b: int) -> tuple[int, int]:
        return b - a, (self.big >> (self.total - b)) & ((1 << (b - a)) - 1)


def write_slice(
    nal: bytes, rbsp: bytes, s: Slice, idr: bool, fn: int, mods, mmcos, adaptive
) -> bytes:
    """Slice ``nal`` (parsed as ``s``) with frame_num ``fn``, made an IDR if ``idr``,
    with the list modifications ``mods`` and the operations ``mmcos``: its header byte
    and RBSP (escaped by the caller)."""
    bits = _Bits(rbsp)
    w = Writer()
    w.u(*bits(0, s.fn_pos[0]))
    w.u(s.sps.log2_max_frame_num, fn)
    w.u(*bits(s.fn_pos[1], s.after_fn))
    if idr:
        w.ue(0)  # idr_pic_id
    w.u(*bits(s.after_fn, s.mod_pos[0]))
    _write_list_modifications(w, mods)
    w.u(*bits(s.mod_pos[1], s.mark_pos[0]))
    if s.ref_idc:
        _write_marking(w, idr, adaptive, mmcos)
    header = bytes([(nal[0] & 0xE0) | (nal_units.H264_IDR if idr else nal[0] & 0x1F)])
    old_len = s.mark_pos[1]
    if w.n == old_len:  # same length: the rest is the same bits
        rest = bits.total - old_len
        value = (w.value << rest) | (bits.big & ((1 << rest) - 1))
        return header + value.to_bytes(len(rbsp), "big")
    w.u(*bits(old_len, s.header_end))
    return header + _slice_data(w, rbsp, s, bits)


def _write_list_modifications(w: Writer, mods) -> None:
    for cmds in mods:
        if cmds is None:
            w.u(1, 0)
            continue
        w.u(1, 1)
        for idc, value in cmds:
            w.ue(idc)
            w.ue(value)
        w.ue(3)


def _write_marking(w: Writer, idr: bool, adaptive: bool, mmcos) -> None:
    if idr:
        w.u(2, 0)  # no_output_of_prior_pics_flag, long_term_reference_flag
    elif not adaptive:
        w.u(1, 0)
    else:
        w.u(1, 1)
        for op, *values in mmcos:
            w.ue(op)
            for value in values:
                w.ue(value)
        w.ue(0)


def _slice_data(w: Writer, rbsp: bytes, s: Slice, bits: _Bits) -> bytes:
    """The rewritten header ``w`` joined to the slice data: CABAC data after its
    alignment bits as it is, CAVLC data shifted to follow the header bit by bit."""
    if s.pps.cabac:
        while w.n % 8:
            w.u(1, 1)  # cabac_alignment_one_bit
        data = rbsp[-(-s.header_end // 8) :]
        return w.value.to_bytes(w.n // 8, "big") + data
    last = len(rbsp.rstrip(b"\x00")) * 8
    if last == 0:
        raise Unsupported("empty slice")
    stop = last - ((rbsp[last // 8 - 1] & -rbsp[last // 8 - 1]).bit_length())
    w.u(*bits(s.header_end, stop))
    w.u(1, 1)
    while w.n % 8:
        w.u(1, 0)
    return w.value.to_bytes(w.n // 8, "big")
