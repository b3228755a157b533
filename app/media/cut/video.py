"""The clip's video packets, in decode order on the clip's timeline.

A smart cut: the re-encoded head, the copied packets (the first one made a clean start:
an open-GOP I frame rewritten into an IDR, a CRA renamed BLA, the master's parameter
sets in band before it, the GOP header's time code set) and the re-encoded tail, their
decode timestamps shifted where needed so that they increase across the joins.  A full
re-encode: the selection decoded and encoded by the output stream's encoder.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import av
from av.video.frame import PictureType

from app.media.cut.bitstream import h264_opengop, mpeg2
from app.media.cut.bitstream import nal as bs
from app.media.cut.encode import decode
from app.media.cut.job import CutJob
from app.media.cut.plan import Plan, past_out, range_packets
from app.media.cut.report import CutReport
from app.media.errors import MediaError
from app.media.timecode import index_to_tc


def video_packets(job: CutJob, ov, plan: Plan, segments, report) -> Iterator[av.Packet]:
    if plan.full:
        yield from _full_packets(job, ov, plan)
        return
    yield from _smart_packets(job, ov, plan, segments, report)


def _full_packets(job: CutJob, ov, plan: Plan) -> Iterator[av.Packet]:
    """Decode the selection and encode it with the output stream's encoder."""
    m = job.master
    for frame in decode(m, plan.head_start, plan.full):
        frame.pts = m.to_enc(frame.pts - job.t_in)
        frame.time_base = m.enc_time_base
        frame.pict_type = PictureType.NONE
        yield from ov.encode(frame)  # progress: the mux's, by the clip's time
    yield from ov.encode(None)


def _ceil_to(value: int, unit: int) -> int:
    return -(-value // unit) * unit


def _join_shifts(plan: Plan, head, tail, t_in: int, dur: int) -> tuple[int, int]:
    """How far the head's and the copy's dts move down so that dts increase across the
    joins: (head shift, copy shift)."""
    head_shift = mid_shift = 0
    mid_first = mid_last = None
    if plan.copy_from is not None:
        copy_pkts = plan.copied()
        if copy_pkts:
            mid_first = copy_pkts[0].dts - t_in
            mid_last = copy_pkts[-1].dts - t_in
    if tail and mid_last is not None:
        first_tail = tail[0][2]
        if mid_last >= first_tail:
            mid_shift = _ceil_to(mid_last - first_tail + 1, dur)
    if head:
        last_head = head[-1][2]
        nxt = None
        if mid_first is not None:
            nxt = mid_first - mid_shift
        elif tail:
            nxt = tail[0][2]
        if nxt is not None and last_head >= nxt:
            head_shift = _ceil_to(last_head - nxt + 1, dur)
    return head_shift, mid_shift


def _smart_packets(job: CutJob, ov, plan: Plan, segments, report) -> Iterator[av.Packet]:
    m = job.master
    dur = m.frame_step()
    tb = m.tb

    def new_packet(data, pts, dts, key):
        p = av.Packet(data)
        p.pts = pts
        p.dts = dts
        p.time_base = tb
        p.duration = dur
        p.is_keyframe = key
        p.stream = ov
        return p

    head = segments["head"]
    tail = segments["tail"]
    # dts must increase across the joins: shift earlier segments down if needed
    head_shift, mid_shift = _join_shifts(plan, head, tail, job.t_in, dur)
    for data, pts, dts, key in head:
        yield new_packet(data, pts, dts - head_shift, key)
    if plan.copy_from is not None:
        yield from _copied_packets(job, ov, plan, report, mid_shift)
    for data, pts, dts, key in tail:
        yield new_packet(data, pts, dts, key)


def _with_data(packet, data: bytes, key: bool) -> av.Packet:
    """A new packet of ``data`` with the timing of ``packet``."""
    new = av.Packet(data)
    new.pts, new.dts = packet.pts, packet.dts
    new.time_base = packet.time_base
    new.duration = packet.duration
    new.is_keyframe = key
    return new


def _rewrite(job: CutJob, rewriter, packet, drop: bool = False):
    """``packet`` renumbered by ``rewriter`` (an open-GOP copy), or fed to it as dropped."""
    m = job.master
    nals = m.split(bytes(packet))
    try:
        if drop:
            rewriter.drop(nals)
            return packet
        nals = rewriter.copy(nals)
    except (h264_opengop.Unsupported, IndexError) as exc:
        raise MediaError("open_gop_uncuttable", detail=str(exc)) from exc
    return _with_data(packet, m.join(nals), packet.is_keyframe)


def _first_copied(job: CutJob, packet, start):
    """The first copied packet made a clean start of the clip's copied range."""
    m = job.master
    if m.codec == "mpeg2video" and job.start_tc and not m.intra:
        # the GOP header names its first displayed picture; its leading B
        # pictures were dropped, so that is now the I picture
        tc = index_to_tc(m.index_of(start.pts), job.start_tc, m.rate)
        packet = _with_data(packet, mpeg2.set_gop_timecode(bytes(packet), tc), True)
    if m.codec in ("h264", "hevc"):
        data = bytes(packet)
        if start.cra:
            data = bs.hevc_cra_to_bla(data, m.len_size)
        if m.len_size and m.param_sets and not job.out_of_band:
            data = bs.to_length_prefixed(m.param_sets, m.len_size) + data
        packet = _with_data(packet, data, True)
    return packet


class _Mpeg2FirstGop:
    """MPEG-2: the first copied GOP made a closed one when its leading B pictures were
    dropped: its pictures' ``temporal_reference`` renumbered from 0 (the I picture's
    number is the count of pictures dropped) and its GOP header marked closed (see
    :mod:`app.media.cut.bitstream.mpeg2`).  The GOPs after it are copied untouched."""

    def __init__(self, notes: list[str]):
        self.shift = 0
        self.done = False
        self.notes = notes

    def __call__(self, packet, first: bool):
        data = bytes(packet)
        if first:
            refs = mpeg2.temporal_references(data)
            self.shift = refs[0] if refs else 0
            self.done = self.shift == 0  # nothing was dropped: already closed
            if self.done:
                return packet
            data = mpeg2.set_closed_gop(data)
        elif self.done or mpeg2.has_gop_header(data):
            self.done = True  # the next GOP: the master's, as it is
            return packet
        try:
            data = mpeg2.shift_temporal_references(data, self.shift)
        except ValueError as exc:  # not numbered as 13818-2 says: left as it is
            self.done = True
            self.notes.append(f"MPEG-2 pictures not renumbered ({exc})")
            return packet
        return _with_data(packet, data, packet.is_keyframe)


def _skipped(job: CutJob, plan: Plan, packet, start, rewriter) -> bool:
    """Whether ``packet`` stays out of the copy (fed to ``rewriter`` as dropped)."""
    m = job.master
    if m.intra:
        return packet.pts < job.t_in
    if packet.pts < start.pts or past_out(job, plan, packet):
        # a leading picture of the first copied GOP (re-encoded), or past the out point
        if rewriter:  # it may be a reference the numbering must count
            _rewrite(job, rewriter, packet, drop=True)
        return True
    return False


def _copied_packets(job: CutJob, ov, plan: Plan, report: CutReport, dts_shift: int):
    m = job.master
    start = plan.pkts[plan.copy_from]
    first = True
    count = 0
    copied_pts: list[int] = []
    rewriter = h264_opengop.OpenGopRewriter(m.param_sets) if start.open_i else None
    first_gop = _Mpeg2FirstGop(job.notes) if m.codec == "mpeg2video" and not m.intra else None
    with contextlib.closing(range_packets(m, plan)) as packets:
        for packet in packets:
            if m.intra and packet.pts >= job.t_out:
                break
            if _skipped(job, plan, packet, start, rewriter):
                continue
            if rewriter:
                packet = _rewrite(job, rewriter, packet)
            if first_gop:
                packet = first_gop(packet, first)
            if first:
                packet = _first_copied(job, packet, start)
            first = False
            packet.pts = packet.pts - job.t_in
            packet.dts = packet.dts - job.t_in - dts_shift
            packet.stream = ov
            copied_pts.append(packet.pts)
            count += 1
            yield packet
    report.copied_packets = count
    report.copied_frames = count
    if copied_pts:
        a = m.index_of(min(copied_pts) + job.t_in)
        report.copied_range = (a, a + count)
