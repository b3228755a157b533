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

from app.media.cut.bitstream import nal as nal_units
from app.media.cut.bitstream.h264_syntax import (
    INTRA_SLICES,
    Pps,
    Reader,
    Slice,
    Sps,
    Unsupported,
    parse_pps,
    parse_slice,
    parse_sps,
    write_slice,
)

__all__ = ["OpenGopRewriter", "Unsupported", "is_i_picture"]


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
    nals = (
        nal_units.split_length_prefixed(data, length_size)
        if length_size
        else nal_units.split_annexb(data)
    )
    for nal in nals:
        if nal and nal_units.h264_type(nal) == 1:
            try:
                r = Reader(nal_units.unescape(nal[1:16]))
                r.ue()
                return bool(nal[0] & 0x60) and r.ue() % 5 in INTRA_SLICES
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
            kind = nal_units.h264_type(nal)
            if kind == nal_units.H264_SPS:
                i, s = parse_sps(nal)
                self.sps[i] = s
            elif kind == nal_units.H264_PPS:
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

    def _new_mods(self, s: Slice, new_fn: int):
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

    def _check_lists(self, s: Slice) -> None:
        """Until the buffers are in sync, every active reference must be named."""
        if self._synced() or s.slice_type in INTRA_SLICES:
            return
        for cmds, active in zip(s.mods, s.active, strict=False):
            if cmds is None or len(cmds) < active:
                raise Unsupported("reference list not spelled out before convergence")

    def _mark(self, s: Slice, new_fn: int | None) -> list[tuple[int, ...]]:
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

    def _slide(self, s: Slice, new_fn: int | None) -> None:
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
            if nal and nal_units.h264_type(nal) in (1, nal_units.H264_IDR):
                yield nal

    def drop(self, nals: list[bytes]) -> None:
        """A leading picture left out of the clip (it may still be a reference)."""
        if self.done:
            return
        for nal in self._slices(nals):
            s = parse_slice(nal, nal_units.unescape(nal[1:]), self.sps, self.pps)
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
            kind = nal_units.h264_type(nal) if nal else 0
            if kind not in (1, nal_units.H264_IDR):
                out.append(nal)
                continue
            if kind == nal_units.H264_IDR:
                if self.started:
                    self.done = True
                    return nals
                raise Unsupported("already an IDR")
            if self.shift is not None:  # only frame_num changes: rewrite the start only
                k = _split_point(nal)
                if k < len(nal):
                    rbsp = nal_units.unescape(nal[1:k])
                    try:
                        s = parse_slice(nal, rbsp, self.sps, self.pps)
                    except IndexError:
                        s = None
                    if s is not None and s.header_end <= (len(rbsp) - 2) * 8:
                        if state is None:
                            state = self._picture(s)
                        new = write_slice(nal, rbsp, s, *state)
                        if len(new) != 1 + len(rbsp):
                            raise Unsupported("slice header changed size")
                        out.append(nal_units.escape(new) + nal[k:])
                        continue
            rbsp = nal_units.unescape(nal[1:])
            s = parse_slice(nal, rbsp, self.sps, self.pps)
            if state is None:
                state = self._picture(s)
            out.append(nal_units.escape(write_slice(nal, rbsp, s, *state)))
        return out

    def _picture(self, s: Slice):
        """The new values of a picture's header (from its first slice); updates the
        reference bookkeeping."""
        if not self.started:
            if s.slice_type not in INTRA_SLICES or not s.ref_idc:
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
