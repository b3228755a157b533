"""Writing the clip: the container, its streams and metadata, the packets interleaved.

The video stream is the master's (its sample entry, ``avcC``/``hvcC`` and metadata),
or an H.264 encoder's for a full re-encode; an HEVC track in MP4/MOV is tagged ``hvc1``
when every parameter set fits in its ``hvcC`` (:func:`hevc_sample_entry`).  The clip's
start timecode is written as a ``timecode`` tag (a ``tmcd`` track in MOV/MP4, the
material package timecode in MXF).  The packets of all streams are merged by time.
"""

from __future__ import annotations

import heapq
import math

import av

from app.media.cut import audio
from app.media.cut.bitstream import nal as bs
from app.media.cut.encode import X264_CRF, X264_FULL_PRESET
from app.media.cut.job import CutJob
from app.media.cut.plan import Plan
from app.media.cut.report import CutReport
from app.media.cut.video import video_packets

#: Container tags of the master not carried over to the clip.
_DROPPED_CONTAINER_TAGS = (
    "encoder",
    "major_brand",
    "minor_version",
    "compatible_brands",
    "timecode",
    "material_package_umid",
    "uid",
    "generation_uid",
    "product_uid",
    "operational_pattern_ul",
)
#: Video stream tags of the master not carried over (handler_name: see _video_stream).
_DROPPED_VIDEO_TAGS = ("encoder", "timecode", "file_package_umid", "handler_name", "vendor_id")


#: MP4/MOV clips are faststart (the ``moov`` index before ``mdat``, as the renditions
#: are), so that a player can start before the end of the download.  Space for the
#: index is reserved at the start (``moov_size``: FFmpeg writes it there at the end,
#: and a ``free`` box fills what is left), which spares the second pass over the whole
#: file that ``+faststart`` makes; were the room too small, the clip is written again
#: with ``+faststart``.
FASTSTART_FORMATS = ("mov", "mp4")
#: Bytes of the index per packet, at most (sizes, times, composition offsets, chunk
#: offsets and runs, sync and dependency flags, sample groups: 53), and for the rest.
_MOOV_PER_PACKET = 64
_MOOV_FIXED = 256 * 1024
#: Largest movie timescale chosen (beyond it, the audio rates alone are used).
_MAX_MOVIE_TIMESCALE = 10_000_000


def movie_timescale(job: CutJob, plan: Plan) -> int:
    """The MP4/MOV movie timescale (``mvhd``, edit list durations) of the clip: a
    multiple of every audio sample rate and of the video track's clock, so that each
    track's edit ends exactly at the out instant (FFmpeg's default, 1000, rounds the
    edit up to the next millisecond)."""
    m = job.master
    video = (m.enc_time_base if plan.full else m.tb).denominator
    rates = [s.codec_context.sample_rate for s, _ in job.audio if s.codec_context.sample_rate]
    audio = math.lcm(*rates) if rates else 1
    scale = math.lcm(audio, video)
    if scale > _MAX_MOVIE_TIMESCALE:
        scale = audio if audio > 1 else 1000
    return scale


def moov_room(job: CutJob) -> int:
    """Bytes to reserve for the clip's ``moov``: enough for one packet per frame and,
    per audio stream, the master's packets over the clip's duration (twice over)."""
    packets = job.frames
    for s, _channels in job.audio:
        rate = s.codec_context.sample_rate or 48000
        seconds = float(s.duration * s.time_base) if s.duration and s.time_base else 0
        per_second = s.frames / seconds if s.frames and seconds > 0 else rate / 256
        packets += 2 * math.ceil(per_second * float(job.duration_s)) + 16
    return _MOOV_FIXED + _MOOV_PER_PACKET * packets


def muxer_options(job: CutJob, plan: Plan, reserve: bool = True) -> dict[str, str]:
    options: dict[str, str] = {}
    if job.master.fmt in FASTSTART_FORMATS:
        options["movie_timescale"] = str(movie_timescale(job, plan))
        if reserve:
            options["moov_size"] = str(moov_room(job))
        else:
            options["movflags"] = "+faststart"
    return options


def mux(job: CutJob, plan: Plan, segments: dict, report: CutReport) -> None:
    try:
        _write(job, plan, dict(segments), report, reserve=True)
    except av.FFmpegError:
        if job.master.fmt not in FASTSTART_FORMATS:
            raise
        # the reserved room was too small for the index (FFmpeg refuses to write it)
        job.notes.append("the index outgrew its reserved room: written again, faststart")
        report.audio.clear()
        _write(job, plan, segments, report, reserve=False)
    job.advance(1.0)


def _write(job: CutJob, plan: Plan, segments: dict, report: CutReport, reserve: bool) -> None:
    out = av.open(job.tmp, "w", format=job.master.fmt, options=muxer_options(job, plan, reserve))
    try:
        mux_into(job, out, plan, segments, report)
        job.start_phase(0.95, 0.99)  # the trailer (MP4/MOV: the index)
    finally:
        out.close()


def mux_into(job: CutJob, out, plan: Plan, segments: dict, report: CutReport) -> None:
    src_meta = {
        k: v for k, v in job.master.container.metadata.items() if k not in _DROPPED_CONTAINER_TAGS
    }
    out.metadata.update(src_meta)
    ov = _video_stream(job, out, plan, segments)
    gens = [video_packets(job, ov, plan, segments, report), *audio.add_streams(job, out, report)]

    def keyed(gen):
        # seconds as floats: the order of packets of different streams at nearly the
        # same instant only decides their interleaving, and Fractions cost 10 us each
        scale = None
        for packet in gen:
            if scale is None:
                scale = float(packet.time_base)
            ts = packet.dts if packet.dts is not None else packet.pts
            yield (ts * scale, packet)

    total = float(job.duration_s) or 1.0
    for n, (t, packet) in enumerate(heapq.merge(*(keyed(g) for g in gens), key=lambda x: x[0])):
        out.mux(packet)
        if n % 16 == 0:  # the bar moves by 1 % at most, a minute has 4,000 packets
            job.advance(t / total)


def _video_stream(job: CutJob, out, plan: Plan, segments: dict):
    m = job.master
    if plan.full:
        ov = out.add_stream("libx264", rate=m.rate)
        ov.width, ov.height = m.vctx.width, m.vctx.height
        supported = {"yuv420p", "yuv422p", "yuv444p", "yuv420p10le", "yuv422p10le"}
        pix_fmt = m.vctx.pix_fmt
        ov.pix_fmt = pix_fmt if pix_fmt in supported else "yuv420p"
        ov.codec_context.options = {"preset": X264_FULL_PRESET, "crf": X264_CRF}
        ov.time_base = m.enc_time_base
        ov.codec_context.time_base = m.enc_time_base
    else:
        ov = out.add_stream_from_template(m.vs)
        ov.time_base = m.tb
    ov.codec_context.framerate = m.rate  # the tmcd track needs the stream's rate
    for k, v in m.vs.metadata.items():
        if k not in _DROPPED_VIDEO_TAGS:
            ov.metadata[k] = v
    if "handler_name" in m.vs.metadata and m.fmt in ("mov", "mp4"):
        ov.metadata["handler_name"] = m.vs.metadata["handler_name"]
    if job.clip_tc:
        ov.metadata["timecode"] = job.clip_tc
        if m.fmt in ("mxf", "mov", "mp4"):
            out.metadata["timecode"] = job.clip_tc
    if m.codec == "hevc" and m.fmt in ("mov", "mp4"):
        hevc_sample_entry(job, ov, plan, segments)
    if m.fmt == "mpegts" and m.codec == "h264" and job.clip_tc:
        job.notes.append("MPEG-TS with H.264 carries no timecode; reported only")
    return ov


# ---------------------------------------------------------------- HEVC sample entry


def hevc_sample_entry(job: CutJob, ov, plan: Plan, segments: dict) -> None:
    """Tag the HEVC track ``hvc1`` with every parameter set in its ``hvcC`` when they
    fit there, else ``hev1`` (parameter sets in band).

    They fit when x265 gave the same sets to every segment, no copied picture
    carries sets in band, and x265's ids can be renumbered away from the master's
    (see :func:`app.media.cut.bitstream.nal.hevc_renumber`).  The segments are
    rewritten in place.
    """
    m = job.master
    ov.codec_context.codec_tag = "hev1"
    job.out_of_band = False
    encoded = [p for name in ("head", "tail") for p in segments[name]]
    if not m.len_size:
        return  # Annex B extradata: no hvcC to put the sets in
    if not encoded:
        if not any(p.ps for p in plan.pkts):
            ov.codec_context.codec_tag = "hvc1"  # the master's own sets, in its hvcC
            job.out_of_band = True
        return
    ours = _encoder_sets(encoded, m.len_size)
    if sorted(bs.hevc_type(n) for n in ours) != list(bs.HEVC_PARAMETER_SETS):
        job.notes.append("x265 gave several parameter sets: HEVC track tagged hev1")
        return
    copying = plan.copy_from is not None
    renumber = None
    if copying:
        renumber, why = _renumbering(job, plan)
        if why:
            job.notes.append(why)
            return
    try:
        rewritten = _without_sets(segments, m.len_size, renumber)
        if renumber:
            ours = [bs.hevc_renumber(n, *renumber) for n in ours]
    except (ValueError, IndexError):
        job.notes.append("x265 parameter sets not renumbered: HEVC track tagged hev1")
        return
    segments.update(rewritten)
    sets = ours
    if copying:  # the master's sets (and SEI) first: its copied pictures use them
        sets = m.param_sets + ours
    ov.codec_context.extradata = bs.hvcc_with(m.vctx.extradata, sets)
    ov.codec_context.codec_tag = "hvc1"
    job.out_of_band = True


def _encoder_sets(encoded: list[tuple], len_size: int) -> list[bytes]:
    """The distinct parameter sets x265 put in band in the re-encoded packets."""
    ours: list[bytes] = []
    for data, *_ in encoded:
        for nal in bs.split_length_prefixed(data, len_size):
            if bs.hevc_type(nal) in bs.HEVC_PARAMETER_SETS and nal not in ours:
                ours.append(nal)
    return ours


def _renumbering(job: CutJob, plan: Plan) -> tuple[tuple[int, int, int] | None, str | None]:
    """(VPS, SPS, PPS ids for x265's sets, free among the master's; or why there are none)."""
    if any(p.ps for p in plan.copied()):
        return None, "the master has parameter sets in band: HEVC track tagged hev1"
    used = bs.hevc_ids(job.master.param_sets)
    vps = [i for i in range(15, -1, -1) if i not in used[bs.HEVC_VPS]]
    pps = [i for i in range(15, 31) if i not in used[bs.HEVC_PPS]]
    if not vps or not pps or 15 in used[bs.HEVC_SPS]:
        return None, "no free parameter-set ids: HEVC track tagged hev1"
    return (vps[0], 15, pps[0]), None


def _without_sets(segments: dict, len_size: int, renumber) -> dict[str, list[tuple]]:
    """The re-encoded segments without their in-band parameter sets, renumbered."""
    rewritten = {}
    for name in ("head", "tail"):
        packets = []
        for data, pts, dts, key in segments[name]:
            nals = [
                n
                for n in bs.split_length_prefixed(data, len_size)
                if bs.hevc_type(n) not in bs.HEVC_PARAMETER_SETS
            ]
            if renumber:
                nals = [bs.hevc_renumber(n, *renumber) for n in nals]
            packets.append((bs.to_length_prefixed(nals, len_size), pts, dts, key))
        rewritten[name] = packets
    return rewritten
