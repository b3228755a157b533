"""The re-encoded joins: the frames before and after the copied packets.

The frames are decoded from the keyframe before them and encoded with the source's
codec, profile, level, pixel format, size, aspect, interlacing and colour metadata, at
a transparent quality; head and tail are encoded in parallel up to 720p, one after the
other above.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Iterator

import av
from av.video.frame import PictureType

from app.media.cut.bitstream import mpeg2
from app.media.cut.bitstream import nal as bs
from app.media.cut.job import CutJob
from app.media.cut.master import SMART_CODECS, Master
from app.media.cut.plan import Pkt, Plan
from app.media.errors import MediaError
from app.media.timecode import index_to_tc

#: x264/x265 presets and quality of the re-encoded joins, chosen by a quality target
#: (every join frame >= 40 dB PSNR against the master's decoded frame), the fastest
#: preset that meets it on natural footage and on noisy test patterns (benchmarks/
#: README.md, "Choosing the joins' preset").  x264 ultrafast at CRF 16: min 45.0 dB on
#: a 1080p photographic pan, 45.4 dB on testsrc2 + noise, 2.4x faster than veryfast,
#: at the same bit rate on the pan (1.6x on noise).  x265 ultrafast misses it on noise
#: (38.7 dB): faster stays (40.1 dB).
X264_PRESET = "ultrafast"
X264_CRF = "16"
#: A clip re-encoded whole is mostly re-encoded frames: its size matters more than the
#: seconds of a join, so it keeps a preset that compresses (CABAC, deblocking).
X264_FULL_PRESET = "veryfast"
X265_PRESET = "faster"
X265_CRF = "16"
#: Above this many pixels, head and tail are encoded one after the other (each encoder
#: already uses both cores; two 1080p x264 instances at once exceed the memory budget).
PARALLEL_MAX_PIXELS = 1280 * 720
MPEG2_QSCALE = 2


def decode(master: Master, start: Pkt, wanted: list[int]) -> Iterator[av.VideoFrame]:
    """Decoded frames whose pts are in ``wanted`` (sorted), starting at keyframe
    ``start`` (its leading pictures skipped, and the H.264 pictures before the first
    wanted frame that no other picture refers to)."""
    if not wanted:
        return
    c, vs, packets = master.open_at(start, start.pts, decode=True)
    want = set(wanted)
    first, last = wanted[0], wanted[-1]
    h264 = master.codec == "h264"
    got = 0
    try:
        done = False
        for packet in packets:
            if packet.size == 0:
                continue  # the demuxer's end-of-stream packet: flushed below
            if packet.pts is not None and packet.pts < start.pts:
                continue  # a leading picture of the start keyframe
            if (
                h264
                and packet.pts is not None
                and packet.pts < first
                and bs.h264_disposable(bytes(packet), master.len_size)
            ):
                continue  # shown before the join, referred to by none of its frames
            for frame in vs.decode(packet):
                if frame.pts in want:
                    got += 1
                    yield frame
                if frame.pts is not None and frame.pts >= last:
                    done = True
            if done:
                break
        if not done:
            for frame in vs.decode(None):
                if frame.pts in want:
                    got += 1
                    yield frame
    finally:
        master.release(c)
    if got != len(wanted):
        raise MediaError("frames_missing", got=got, expected=len(wanted))


def _x264_options(master: Master, n_frames: int, bframes: bool, interlaced: bool, tff: bool):
    src = master.vctx
    params = [
        f"sps-id={master.x264_sps_id}",
        f"keyint={n_frames + 1}",
        f"min-keyint={n_frames + 1}",
        "scenecut=0",
        "open-gop=0",
        f"bframes={3 if bframes else 0}",
        f"b-pyramid={'normal' if bframes and src.has_b_frames >= 2 else 'none'}",
    ]
    if interlaced:
        params.append("tff=1" if tff else "bff=1")
    opts = {"preset": X264_PRESET, "crf": X264_CRF, "x264-params": ":".join(params)}
    profile = x264_profile(src.profile)
    if profile:
        opts["profile"] = profile
    if src.level and src.level > 0:
        opts["level"] = f"{src.level / 10:.1f}"
    return opts


def _x265_options(master: Master, n_frames: int, bframes: bool, interlaced: bool, tff: bool):
    src = master.vctx
    params = [
        f"keyint={n_frames + 1}",
        f"min-keyint={n_frames + 1}",
        "scenecut=0",
        "open-gop=0",
        f"bframes={4 if bframes else 0}",
        "repeat-headers=1",
        "annexb=1",
        "info=0",
        "log-level=error",
    ]
    if src.level and src.level > 0:
        params.append(f"level-idc={src.level / 30:.1f}")
    if interlaced:
        params.append("interlace=" + ("tff" if tff else "bff"))
    opts = {"preset": X265_PRESET, "crf": X265_CRF, "x265-params": ":".join(params)}
    profile = (src.profile or "").lower().replace(" ", "")
    if profile in ("main", "main10", "mainstillpicture"):
        opts["profile"] = profile
    return opts


def _mpeg2_options(cc, bframes: bool, interlaced: bool) -> dict[str, str]:
    cc.qscale = True
    cc.global_quality = MPEG2_QSCALE * 118  # FF_QP2LAMBDA
    cc.max_b_frames = 2 if bframes else 0
    flags = "+cgop"
    if interlaced:
        flags += "+ildct+ilme"
    return {"flags": flags, "sc_threshold": "1000000000"}


def encoder(master: Master, n_frames: int):
    """An encoder for one join of ``n_frames`` frames: one closed GOP, the master's look."""
    name = SMART_CODECS.get(master.codec, "libx264")
    cc = av.CodecContext.create(name, "w")
    src = master.vctx
    cc.width = src.width
    cc.height = src.height
    cc.pix_fmt = src.pix_fmt or "yuv420p"
    cc.time_base = master.enc_time_base  # frame-based (MPEG-2 demands it), VFR: the master's
    cc.framerate = master.rate
    if src.sample_aspect_ratio:
        cc.sample_aspect_ratio = src.sample_aspect_ratio
    for attr in ("color_range", "color_primaries", "color_trc", "colorspace"):
        value = getattr(src, attr, None)
        if value:
            setattr(cc, attr, value)
    cc.gop_size = n_frames + 1
    bframes = src.has_b_frames > 0 if src.has_b_frames is not None else True
    interlaced = master.field_order in ("tt", "bb", "tb", "bt")
    tff = master.field_order in ("tt", "tb")
    opts: dict[str, str] = {}
    if name == "libx264":
        opts.update(_x264_options(master, n_frames, bframes, interlaced, tff))
    elif name == "libx265":
        opts.update(_x265_options(master, n_frames, bframes, interlaced, tff))
    elif name == "mpeg2video":
        opts.update(_mpeg2_options(cc, bframes, interlaced))
    cc.options = opts
    cc.thread_type = "AUTO"
    return cc


def encode_segment(job: CutJob, start: Pkt, wanted: list[int]) -> list[tuple]:
    """Re-encode the frames ``wanted``; packets as (data, pts, dts, key) in the
    source time base, on the clip's timeline."""
    m = job.master
    enc = encoder(m, len(wanted))
    out: list[tuple] = []
    shift = job.t_in
    gop_tc = None
    if m.codec == "mpeg2video" and job.start_tc:
        gop_tc = index_to_tc(m.index_of(wanted[0]), job.start_tc, m.rate)

    def take(packets):
        for p in packets:
            data = bytes(p)
            if m.codec in ("h264", "hevc"):
                nals = bs.split_annexb(data)
                data = m.join(nals)
            if gop_tc:  # the segment is one GOP: it starts at this timecode
                data = mpeg2.set_gop_timecode(data, gop_tc)
            pts = m.from_enc(p.pts)
            dts = m.from_enc(p.dts) if p.dts is not None else pts
            out.append((data, pts, dts, bool(p.is_keyframe)))
            job.count_encoded()  # a frame is done when its packet comes out

    for frame in decode(m, start, wanted):
        frame.pts = m.to_enc(frame.pts - shift)
        frame.time_base = m.enc_time_base
        frame.pict_type = PictureType.NONE
        take(enc.encode(frame))
    take(enc.encode(None))
    return sane_dts(out)


def encode_joins(job: CutJob, plan: Plan) -> dict[str, list[tuple]]:
    """The head and tail re-encoded (in parallel up to 720p), reporting progress."""
    segments: dict[str, list[tuple]] = {"head": [], "tail": []}
    jobs = {}
    total_encode = len(plan.head) + len(plan.tail)
    if not total_encode:
        return segments
    vctx = job.master.vctx
    workers = 2 if vctx.width * vctx.height <= PARALLEL_MAX_PIXELS else 1
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        if plan.head:
            jobs["head"] = pool.submit(encode_segment, job, plan.head_start, plan.head)
        if plan.tail:
            jobs["tail"] = pool.submit(encode_segment, job, plan.tail_start, plan.tail)
        pending = set(jobs.values())
        while pending:
            _done, pending = concurrent.futures.wait(pending, timeout=0.25)
            job.advance(job.encoded_count / total_encode)
        for name, fut in jobs.items():
            segments[name] = fut.result()
    return segments


def x264_profile(profile: str | None) -> str | None:
    if not profile:
        return None
    p = profile.lower()
    if "baseline" in p:
        return "baseline"
    if "4:4:4" in p:
        return "high444"
    if "4:2:2" in p:
        return "high422"
    if "high 10" in p:
        return "high10"
    if "high" in p:
        return "high"
    if "main" in p:
        return "main"
    return None


def sane_dts(packets: list[tuple]) -> list[tuple]:
    """Decode timestamps of a re-encoded segment, derived again when the encoder's are unusable.

    libx265 intermittently hands back garbage dts (values far outside int64 once scaled,
    seen in CI on one-frame and short segments). Then dts are rebuilt the way muxers do:
    the sorted presentation times, moved back by the smallest delay that keeps every
    dts at or before its pts; they stay strictly increasing.
    """
    dts = [d for _, _, d, _ in packets]
    if (
        all(abs(d) < 2**40 for d in dts)
        and all(a < b for a, b in zip(dts, dts[1:], strict=False))
        and all(d <= p for _, p, d, _ in packets)
    ):
        return packets
    ordered = sorted(p for _, p, _, _ in packets)
    delay = max(o - p for o, (_, p, _, _) in zip(ordered, packets, strict=True))
    return [
        (data, p, o - delay, key) for o, (data, p, _, key) in zip(ordered, packets, strict=True)
    ]
