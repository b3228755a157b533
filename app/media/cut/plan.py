"""The plan of a cut: the master's packets around the selection, and which are copied.

:func:`scan` reads the packets' metadata (no decode) from a keyframe at or before the
in point to just past the first keyframe at or after the out point, and marks the clean
random-access points where a copy may start.  :func:`plan_cut` then chooses: the frames
copied as packets, and the frames re-encoded before (head) and after (tail) them, or
the whole selection re-encoded.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

import av

from app.media.cut.bitstream import h264_opengop
from app.media.cut.bitstream import nal as bs
from app.media.cut.job import CutJob
from app.media.cut.master import SMART_CODECS, Master
from app.media.cut.report import CutReport
from app.media.errors import MediaError


@dataclass
class Pkt:
    pts: int
    dts: int
    key: bool  # the container says: a keyframe (decoding may start here)
    rap: bool  # a clean random-access point (copy may start here)
    cra: bool = False  # HEVC CRA (renamed BLA when a copy starts there)
    ps: bool = False  # HEVC: parameter sets in band (then the track stays hev1)
    open_i: bool = False  # H.264 open-GOP I frame (made an IDR when a copy starts there)


@dataclass
class Plan:
    copy_from: int | None  # index into pkts of the first copied packet
    copy_to: int | None  # index (exclusive) of the end of the copy, len(pkts) = to EOF
    head: list[int]  # pts of the frames re-encoded before the copy
    tail: list[int]
    pkts: list[Pkt] = field(default_factory=list)
    copy_skip: set[int] = field(default_factory=set)
    head_start: Pkt | None = None
    tail_start: Pkt | None = None
    copy_first_pts: int | None = None
    copy_end_pts: int | None = None
    full: list[int] = field(default_factory=list)  # frames of a full re-encode

    def copied(self) -> list[Pkt]:
        """The packets copied, in decode order (the leading pictures skipped)."""
        return [
            p
            for j, p in enumerate(self.pkts[self.copy_from : self.copy_to], self.copy_from)
            if j not in self.copy_skip
        ]


# ---------------------------------------------------------------- packet scan


def is_rap(master: Master, packet) -> tuple[bool, bool, bool, bool]:
    """(random-access point, HEVC CRA, HEVC parameter sets in band, H.264 open-GOP I)."""
    if not packet.is_keyframe:
        return False, False, False, False
    if master.codec == "h264":
        data = bytes(packet)
        types = bs.nal_types("h264", data, master.len_size)
        if bs.H264_IDR in types:
            return True, False, False, False
        open_i = master.open_gop and h264_opengop.is_i_picture(data, master.len_size)
        return open_i, False, False, open_i
    if master.codec == "hevc":
        types = bs.nal_types("hevc", bytes(packet), master.len_size)
        irap = [t for t in types if t in bs.HEVC_IRAP]
        ps = any(t in bs.HEVC_PARAMETER_SETS for t in types)
        return bool(irap), bool(irap) and irap[0] == bs.HEVC_CRA, ps, False
    return True, False, False, False


def scan(master: Master, t_in: int, t_out: int) -> tuple[list[Pkt], bool]:
    """Packet metadata in decode order from a keyframe at or before ``t_in`` to just
    past the first keyframe at or after ``t_out``.  Returns (packets, reached_eof)."""
    c, vs, packets = master.open_at(None, t_in)
    pkts: list[Pkt] = []
    eof = True
    after_key: int | None = None
    try:
        for packet in packets:
            if packet.size == 0:
                continue
            if packet.pts is None or packet.dts is None:
                if packet.pts is None:
                    raise MediaError("no_timestamps")
                packet.dts = packet.pts
            if after_key is not None and packet.pts > after_key:
                eof = False
                break
            rap, cra, ps, open_i = is_rap(master, packet)
            key = bool(packet.is_keyframe)
            pkts.append(Pkt(packet.pts, packet.dts, key, rap, cra, ps, open_i))
            if after_key is None and packet.is_keyframe and packet.pts >= t_out:
                after_key = packet.pts
    except av.FFmpegError as exc:
        raise MediaError("read_failed", detail=str(exc)) from exc
    finally:
        master.release(c)
    return pkts, eof


# ---------------------------------------------------------------- the plan


def plan_cut(job: CutJob, pkts: list[Pkt], eof: bool, report: CutReport) -> Plan:
    """Copy (intra-only), smart (long-GOP) or full re-encode (any other codec); the
    report says which."""
    m = job.master
    if m.intra:
        report.method = "copy"
        return Plan(copy_from=0, copy_to=None, head=[], tail=[], pkts=pkts)
    if m.smart:
        plan = smart_plan(job, pkts, eof)
        if plan.copy_from is not None and pkts[plan.copy_from].open_i:
            why = check_open_gop(job, plan)
            if why:
                # this stream's references cannot be renumbered: copy from IDRs only
                job.notes.append(f"open-GOP I frame not made an IDR ({why})")
                for p in pkts:
                    if p.open_i:
                        p.rap = p.open_i = False
                plan = smart_plan(job, pkts, eof)
        report.method = "smart"
        report.encoder = SMART_CODECS[m.codec]
        return plan
    # no smart cut for this codec: decode the selection, encode it as H.264
    plan = Plan(copy_from=None, copy_to=None, head=[], tail=[], pkts=pkts)
    plan.full = m.grid(job.t_in, job.t_out)
    plan.head_start = [p for p in pkts if p.key and p.pts <= job.t_in][-1]
    report.method = "reencode"
    report.encoder = "libx264"
    report.video_codec = f"{m.codec} -> h264"
    report.reencoded_frames = job.frames
    report.reencoded_ranges = [(job.in_frame, job.out_frame)]
    why = (
        "variable frame rate"
        if m.codec in SMART_CODECS
        else "not intra-only, not H.264/HEVC/MPEG-2"
    )
    job.notes.append(f"no smart cut for {m.codec} ({why}): the clip is re-encoded whole to H.264")
    return plan


def _leading(pkts: list[Pkt], keys: list[int]) -> dict[int, list[int]]:
    """Per keyframe, its leading pictures: the packets after it in decode order, before
    the next keyframe, that are shown before it."""
    lead: dict[int, list[int]] = {}
    for n_k, k in enumerate(keys):
        end = keys[n_k + 1] if n_k + 1 < len(keys) else len(pkts)
        lead[k] = [j for j in range(k + 1, end) if pkts[j].pts < pkts[k].pts]
    return lead


def smart_plan(job: CutJob, pkts: list[Pkt], eof: bool) -> Plan:
    m = job.master
    t_in, t_out = job.t_in, job.t_out
    keys = [i for i, p in enumerate(pkts) if p.key]
    lead = _leading(pkts, keys)

    def lead_start(k: int) -> int:
        return min([pkts[j].pts for j in lead[k]] + [pkts[k].pts])

    def decode_start(pts: int) -> Pkt:
        cands = [k for k in keys if pkts[k].pts <= pts]
        if not cands:
            raise MediaError("no_keyframe")
        return pkts[cands[-1]]

    s = next((k for k in keys if pkts[k].rap and pkts[k].pts >= t_in), None)
    plan = Plan(copy_from=None, copy_to=None, head=[], tail=[], pkts=pkts)
    copy_end_pts = None
    e = None
    if s is not None and pkts[s].pts < t_out:
        later = [k for k in keys if k > s and lead_start(k) <= t_out]
        if later:
            e = later[-1]
            copy_end_pts = lead_start(e)
        if eof and all(p.pts < t_out for p in pkts[s:]):
            e = len(pkts)
            copy_end_pts = t_out
        if e is not None and copy_end_pts is not None and copy_end_pts > pkts[s].pts:
            skip = set(lead[s])
            chosen = [pkts[j].pts for j in range(s, e) if j not in skip]
            if sorted(chosen) == m.grid(pkts[s].pts, copy_end_pts):
                plan.copy_from, plan.copy_to = s, e
                plan.copy_skip = skip
            else:
                job.notes.append("packets between keyframes are not contiguous: no copy")
    if plan.copy_from is None:
        open_keys = [k for k in keys if pkts[k].pts >= t_in and not pkts[k].rap]
        if s is None and open_keys:
            job.notes.append(
                "no IDR in the selection, only open-GOP keyframes that could not be "
                "made IDRs: re-encoded whole" + (f" ({m.open_gop_why})" if m.open_gop_why else "")
            )
        else:
            job.notes.append("the clip holds no whole GOP: re-encoded whole")
        plan.head = m.grid(t_in, t_out)
        plan.head_start = decode_start(t_in)
        return plan
    head_end = pkts[s].pts
    plan.head = m.grid(t_in, head_end)
    plan.head_start = decode_start(t_in)
    plan.tail = m.grid(copy_end_pts, t_out)
    if plan.tail:
        plan.tail_start = decode_start(copy_end_pts)
    plan.copy_first_pts = head_end
    plan.copy_end_pts = copy_end_pts
    return plan


# ---------------------------------------------------------------- the copied range


def range_packets(master: Master, plan: Plan):
    """The master's packets from the copy's first one up to, not including, the one
    that ends it (none when the copy runs to the end); a missing dts gets the pts."""
    pkts = plan.pkts
    start = pkts[plan.copy_from]
    stop = pkts[plan.copy_to] if plan.copy_to is not None and plan.copy_to < len(pkts) else None
    c, _vs, packets = master.open_at(start, start.pts)
    try:
        for packet in packets:
            if packet.size == 0:
                continue
            if packet.dts is None:
                packet.dts = packet.pts
            if stop is not None and packet.pts == stop.pts and packet.dts == stop.dts:
                return
            yield packet
    finally:
        master.release(c)


def past_out(job: CutJob, plan: Plan, packet) -> bool:
    """A packet after the out point of a copy that runs to the end of the master."""
    at_eof = plan.copy_to is not None and plan.copy_to >= len(plan.pkts)
    return at_eof and packet.pts >= job.t_out


def check_open_gop(job: CutJob, plan: Plan) -> str | None:
    """Why the copy cannot start at its open-GOP I frame, or None: the packets are
    run through the rewrite until the numbering is a constant shift (see
    :mod:`app.media.cut.bitstream.h264_opengop`)."""
    m = job.master
    start = plan.pkts[plan.copy_from]
    rewriter = h264_opengop.OpenGopRewriter(m.param_sets)
    try:
        with contextlib.closing(range_packets(m, plan)) as packets:
            for packet in packets:
                nals = m.split(bytes(packet))
                if packet.pts < start.pts or past_out(job, plan, packet):
                    rewriter.drop(nals)
                else:
                    rewriter.copy(nals)
                if rewriter.shift is not None or rewriter.done:
                    break
    except (h264_opengop.Unsupported, IndexError) as exc:
        return str(exc) or "unreadable slice header"
    job.notes.append("the first copied picture, an open-GOP I frame, was made an IDR")
    return None
