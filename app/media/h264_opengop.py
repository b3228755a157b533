"""Copy an open-GOP H.264 stream from a non-IDR I frame: that I frame becomes an IDR.

A smart cut of an open-GOP master (x264 ``open-gop=1``: GOPs after the first start
with a non-IDR I frame carrying a recovery point) cannot simply copy from that I
frame: the re-encoded head brings its own SPS/PPS, and the active SPS may only change
at an IDR.  So the first copied I frame is rewritten into an IDR (nal_unit_type 5,
frame_num 0, an idr_pic_id, the IDR form of dec_ref_pic_marking) and every copied
slice after it is renumbered: frame_num in the new numbering, and the relative picture
numbers of ref_pic_list_modification and of the memory-management operations (MMCO)
recomputed.  MMCOs that free pictures the clip does not hold (the previous GOP, the
dropped leading pictures) are removed.

Until the decoded picture buffers of the master and of the clip hold the same
pictures (every picture of the previous GOP freed by an MMCO, no dropped leading
reference left), each reference list must be spelled out by ref_pic_list_modification
and each sliding-window marking must be unambiguous; then the relative numbers are
translated picture by picture until the numbering is one constant shift, after which
only frame_num changes (rewritten in the first bytes of each slice).  Field pictures,
POC types 1 and 2, several slice groups, gaps in frame_num, and long-term references or
MMCOs other than 1 before the shift is constant raise :class:`Unsupported`, which the
engine checks before copying (it then copies from IDRs only); an MMCO 5 later in the
copy fails the cut.  Headers are parsed and written on the RBSP; CABAC slice data is
copied byte for byte after the alignment bits, CAVLC data is shifted bitwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.media import cut_bitstream as bs

_HIGH_PROFILES = {100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135}
_P, _B, _I, _SP, _SI = 0, 1, 2, 3, 4
_MMCO_ARGS = {1: 1, 2: 1, 3: 2, 4: 1, 5: 0, 6: 1}  # ue(v) fields after each operation


class Unsupported(ValueError):
    """The stream uses a feature this rewrite does not handle."""


class _Reader:
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


class _Writer:
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


def _skip_scaling_list(r: _Reader, size: int) -> None:
    last = nxt = 8
    for _ in range(size):
        if nxt:
            nxt = (last + r.se() + 256) % 256
        last = nxt or last


def parse_sps(nal: bytes) -> tuple[int, Sps]:
    r = _Reader(bs.unescape(nal[1:]))
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
    r = _Reader(bs.unescape(nal[1:]))
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
class _Slice:
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


def _split_point(nal: bytes, at: int = 96) -> int:
    """A length of ``nal`` past its slice header (most likely) whose last two bytes are
    not zero: no emulation-prevention sequence straddles it, so the start can be
    unescaped, rewritten and escaped on its own."""
    k = at
    while k < len(nal) and (nal[k - 1] == 0 or nal[k - 2] == 0):
        k += 1
    return min(k, len(nal))


def is_i_picture(data: bytes, length_size: int | None) -> bool:
    """Whether a packet is a non-IDR reference I picture (an open-GOP keyframe)."""
    nals = bs.split_length_prefixed(data, length_size) if length_size else bs.split_annexb(data)
    for nal in nals:
        if nal and bs.h264_type(nal) == 1:
            try:
                r = _Reader(bs.unescape(nal[1:16]))
                r.ue()
                return bool(nal[0] & 0x60) and r.ue() % 5 in (_I, _SI)
            except (IndexError, Unsupported):
                return False
    return False


class OpenGopRewriter:
    """Rewrites the packets copied from an open-GOP I frame on (see the module doc).

    Feed every packet from that I frame on, in decode order: :meth:`copy` for the
    packets kept (returns the rewritten NAL units), :meth:`drop` for the leading
    pictures left out.
    """

    def __init__(self, param_sets: list[bytes]):
        self.sps: dict[int, Sps] = {}
        self.pps: dict[int, Pps] = {}
        for nal in param_sets:
            kind = bs.h264_type(nal)
            if kind == bs.H264_SPS:
                i, s = parse_sps(nal)
                self.sps[i] = s
            elif kind == bs.H264_PPS:
                i, p = parse_pps(nal)
                self.pps[i] = p
        if not self.sps or not self.pps:
            raise Unsupported("no SPS/PPS in the sample description")
        for s in self.sps.values():
            if s.poc_type != 0:
                raise Unsupported(f"POC type {s.poc_type}")
            if s.gaps_allowed:
                raise Unsupported("gaps in frame_num allowed")
        self.started = False
        self.done = False  # a real IDR reached: nothing left to rewrite
        self.max_fn = 0
        self.m = 0
        self.foreign = 0  # at most this many pictures of the previous GOP still held
        self.orig: list[tuple[int, int | None]] = []  # held: (orig frame_num, new or None)
        self.prev_orig = self.prev_new = 0
        self.shift: int | None = None  # orig - new, once converged

    # -- parsing

    def _parse(self, nal: bytes, rbsp: bytes) -> _Slice:
        r = _Reader(rbsp)
        ref_idc = (nal[0] >> 5) & 3
        first_mb = r.ue()
        st = r.ue() % 5
        pps = self.pps.get(r.ue())
        if pps is None or pps.sps_id not in self.sps:
            raise Unsupported("slice refers to an unknown PPS")
        sps = self.sps[pps.sps_id]
        if sps.separate_colour_plane:
            r.u(2)
        a = r.pos
        frame_num = r.u(sps.log2_max_frame_num)
        fn_pos = (a, r.pos)
        if not sps.frame_mbs_only and r.u(1):
            raise Unsupported("field pictures")
        after_fn = r.pos
        if bs.h264_type(nal) == bs.H264_IDR:
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
        mod_start = r.pos
        mods: list[list[tuple[int, int]]] = []
        for _ in range({_I: 0, _SI: 0, _B: 2}.get(st, 1)):
            cmds: list[tuple[int, int]] = []
            if r.u(1):
                while (idc := r.ue()) != 3:
                    if idc > 2:
                        raise Unsupported("bad ref_pic_list_modification")
                    cmds.append((idc, r.ue()))
            else:
                cmds = None  # type: ignore[assignment]
            mods.append(cmds)
        mod_pos = (mod_start, r.pos)
        if (pps.weighted_pred and st in (_P, _SP)) or (pps.weighted_bipred_idc == 1 and st == _B):
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
        mark_start = r.pos
        adaptive = False
        mmcos: list[tuple[int, int]] = []
        if ref_idc:
            if bs.h264_type(nal) == bs.H264_IDR:
                r.u(2)
            elif r.u(1):
                adaptive = True
                while (op := r.ue()) != 0:
                    if op > 6:
                        raise Unsupported("bad MMCO")
                    mmcos.append((op, *(r.ue() for _ in range(_MMCO_ARGS[op]))))
        s = _Slice(
            ref_idc, st, frame_num, fn_pos, after_fn, mod_pos, mods, (mark_start, r.pos),
            adaptive, mmcos, first_mb, (l0, l1), sps, pps,
        )  # fmt: skip
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
        s.header_end = r.pos
        return s

    # -- writing

    @staticmethod
    def _emit(
        nal: bytes, rbsp: bytes, s: _Slice, idr: bool, fn: int, mods, mmcos, adaptive
    ) -> bytes:
        total = len(rbsp) * 8
        big = int.from_bytes(rbsp, "big")

        def bits(a: int, b: int) -> tuple[int, int]:
            return b - a, (big >> (total - b)) & ((1 << (b - a)) - 1)

        w = _Writer()
        w.u(*bits(0, s.fn_pos[0]))
        w.u(s.sps.log2_max_frame_num, fn)
        w.u(*bits(s.fn_pos[1], s.after_fn))
        if idr:
            w.ue(0)  # idr_pic_id
        w.u(*bits(s.after_fn, s.mod_pos[0]))
        for cmds in mods:
            if cmds is None:
                w.u(1, 0)
                continue
            w.u(1, 1)
            for idc, value in cmds:
                w.ue(idc)
                w.ue(value)
            w.ue(3)
        w.u(*bits(s.mod_pos[1], s.mark_pos[0]))
        if s.ref_idc:
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
        header = bytes([(nal[0] & 0xE0) | (bs.H264_IDR if idr else nal[0] & 0x1F)])
        old_len = s.mark_pos[1]
        if w.n == old_len:  # same length: the rest is the same bits
            rest = total - old_len
            value = (w.value << rest) | (big & ((1 << rest) - 1))
            return header + value.to_bytes(len(rbsp), "big")
        w.u(*bits(old_len, s.header_end))
        if s.pps.cabac:
            while w.n % 8:
                w.u(1, 1)  # cabac_alignment_one_bit
            data = rbsp[-(-s.header_end // 8) :]
            return header + w.value.to_bytes(w.n // 8, "big") + data
        last = len(rbsp.rstrip(b"\x00")) * 8
        if last == 0:
            raise Unsupported("empty slice")
        stop = last - ((rbsp[last // 8 - 1] & -rbsp[last // 8 - 1]).bit_length())
        w.u(*bits(s.header_end, stop))
        w.u(1, 1)
        while w.n % 8:
            w.u(1, 0)
        return header + w.value.to_bytes(w.n // 8, "big")

    # -- reference bookkeeping

    def _wrap(self, fn: int, curr: int) -> int:
        return fn - self.max_fn if fn > curr else fn

    def _held(self, orig_fn: int) -> int | None:
        for i, (o, _n) in enumerate(self.orig):
            if o == orig_fn:
                return i
        return None

    def _target(self, pic_num: int) -> int:
        return pic_num % self.max_fn

    def _new_mods(self, s: _Slice, new_fn: int):
        out = []
        for cmds in s.mods:
            if cmds is None or self.shift is not None:
                out.append(cmds)
                continue
            pred_o, pred_n = s.frame_num, new_fn
            new_cmds = []
            for idc, value in cmds:
                if idc == 2:
                    raise Unsupported("long-term references")
                delta = value + 1
                pred_o = pred_o - delta if idc == 0 else pred_o + delta
                pred_o = (pred_o + self.max_fn) % self.max_fn
                pic_o = self._wrap(pred_o, s.frame_num)
                i = self._held(self._target(pic_o))
                if i is None or self.orig[i][1] is None:
                    raise Unsupported("a reference of the clip is not in the clip")
                pic_n = self._wrap(self.orig[i][1], new_fn)
                if pic_n < pred_n:
                    new_cmds.append((0, pred_n - pic_n - 1))
                else:
                    new_cmds.append((1, pic_n - pred_n - 1))
                pred_n = pic_n
                pred_o = pic_o
            out.append(new_cmds)
        return out

    def _synced(self) -> bool:
        """Whether the master's buffer holds just the pictures the clip's holds."""
        return self.foreign <= 0 and all(n is not None for _, n in self.orig)

    def _check_lists(self, s: _Slice) -> None:
        """Until the buffers are in sync, every active reference must be named."""
        if self._synced() or s.slice_type in (_I, _SI):
            return
        for cmds, active in zip(s.mods, s.active, strict=False):
            if cmds is None or len(cmds) < active:
                raise Unsupported("reference list not spelled out before convergence")

    def _mark(self, s: _Slice, new_fn: int | None) -> list[tuple[int, ...]]:
        """Apply the picture's marking to the master's and the clip's buffers; returns
        the clip's MMCOs."""
        if self.shift is not None:  # constant renumbering: relative fields hold
            if any(op == 5 for op, *_ in s.mmcos):
                raise Unsupported("MMCO 5")
            return s.mmcos  # no bookkeeping needed any more
        new_mmcos = []
        for op, *values in s.mmcos:
            if op != 1:
                raise Unsupported(f"MMCO {op} before the buffers are in sync")
            value = values[0]
            pic_o = s.frame_num - (value + 1)
            i = self._held(self._target(pic_o))
            if i is None:
                self.foreign -= 1  # a picture of the previous GOP freed
                continue
            held_new = self.orig.pop(i)[1]
            if held_new is None or new_fn is None:
                continue  # a dropped picture: only in the master's buffer
            pic_n = self._wrap(held_new, new_fn)
            new_mmcos.append((op, new_fn - pic_n - 1))
        self._slide(s, new_fn)
        return new_mmcos

    def _slide(self, s: _Slice, new_fn: int | None) -> None:
        if not s.adaptive and len(self.orig) + max(self.foreign, 0) >= self.m:
            # sliding window: the oldest picture goes, in the master and in the clip
            if self.foreign > 0:
                raise Unsupported("sliding window over pictures of the previous GOP")
            in_clip = sum(1 for _, n in self.orig if n is not None)
            gone = self.orig.pop(0)[1]
            slides = new_fn is not None and in_clip >= self.m
            if (gone is not None) != slides:
                raise Unsupported("sliding window differs between master and clip")
        self.orig.append((s.frame_num, new_fn))

    def _converge(self) -> None:
        """From the point where both buffers hold the same pictures, renumbered by one
        constant shift, the relative fields stay as they are."""
        if self.shift is None and self._synced():
            shift = (self.prev_orig - self.prev_new) % self.max_fn
            if all((o - n) % self.max_fn == shift for o, n in self.orig):
                self.shift = shift

    # -- packets

    def _slices(self, nals: list[bytes]):
        for nal in nals:
            if nal and bs.h264_type(nal) in (1, bs.H264_IDR):
                yield nal

    def drop(self, nals: list[bytes]) -> None:
        """A leading picture left out of the clip (it may still be a reference)."""
        if self.done:
            return
        for nal in self._slices(nals):
            s = self._parse(nal, bs.unescape(nal[1:]))
            if s.first_mb:
                continue
            if s.frame_num != (self.prev_orig + 1) % self.max_fn:
                raise Unsupported("frame_num gap")
            if s.ref_idc:
                self._mark(s, None)
                self.prev_orig = s.frame_num
            return

    def copy(self, nals: list[bytes]) -> list[bytes]:
        if self.done:
            return nals
        out = []
        state = None
        for nal in nals:
            kind = bs.h264_type(nal) if nal else 0
            if kind not in (1, bs.H264_IDR):
                out.append(nal)
                continue
            if kind == bs.H264_IDR:
                if self.started:
                    self.done = True
                    return nals
                raise Unsupported("already an IDR")
            if self.shift is not None:  # only frame_num changes: rewrite the start only
                k = _split_point(nal)
                if k < len(nal):
                    rbsp = bs.unescape(nal[1:k])
                    try:
                        s = self._parse(nal, rbsp)
                    except IndexError:
                        s = None
                    if s is not None and s.header_end <= (len(rbsp) - 2) * 8:
                        if state is None:
                            state = self._picture(s)
                        new = self._emit(nal, rbsp, s, *state)
                        if len(new) != 1 + len(rbsp):
                            raise Unsupported("slice header changed size")
                        out.append(bs.escape(new) + nal[k:])
                        continue
            rbsp = bs.unescape(nal[1:])
            s = self._parse(nal, rbsp)
            if state is None:
                state = self._picture(s)
            out.append(bs.escape(self._emit(nal, rbsp, s, *state)))
        return out

    def _picture(self, s: _Slice):
        """The new values of a picture's header (from its first slice); updates the
        reference bookkeeping."""
        if not self.started:
            if s.slice_type not in (_I, _SI) or not s.ref_idc:
                raise Unsupported("the first copied picture is not a reference I picture")
            if s.adaptive:
                raise Unsupported("MMCO on the open-GOP I picture")
            self.started = True
            self.max_fn = 1 << s.sps.log2_max_frame_num
            self.m = max(s.sps.max_num_ref_frames, 1)
            self.foreign = self.m - 1
            self.orig = [(s.frame_num, 0)]
            self.prev_orig, self.prev_new = s.frame_num, 0
            if self.foreign == 0:
                self._converge()
            return True, 0, s.mods, [], False
        if s.frame_num != (self.prev_orig + 1) % self.max_fn:
            raise Unsupported("frame_num gap")
        new_fn = (self.prev_new + 1) % self.max_fn
        if self.shift is not None:
            new_fn = (s.frame_num - self.shift) % self.max_fn
            mods = s.mods
            mmcos = self._mark(s, new_fn) if s.ref_idc else []
        else:
            self._check_lists(s)
            mods = self._new_mods(s, new_fn)
            mmcos = self._mark(s, new_fn) if s.ref_idc else []
        if s.ref_idc:
            self.prev_orig, self.prev_new = s.frame_num, new_fn
        self._converge()
        return False, new_fn, mods, mmcos, s.adaptive
