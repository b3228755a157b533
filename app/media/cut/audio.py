"""The clip's audio: each chosen stream cut to the sample at the instants of the in and out frames.

The clip carries the streams of ``job.audio`` (every audio stream of the master unless
the caller chose some, :mod:`.picks`).  Three ways (see the package documentation): PCM packets sliced at sample boundaries
(never decoded), AAC in MP4/MOV copied whole and trimmed by an edit list, anything else
decoded and re-encoded with the same codec, rate, layout and bit rate, the decoded
frames placed by their timestamps.  :func:`add_streams` adds the clip's audio streams
to the output and returns, per stream, the generator of its packets.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

import av

from app.media.cut.audio_reencode import reencoded_packets
from app.media.cut.job import CutJob
from app.media.cut.picks import PCM_BYTES, channel_bytes, sliced
from app.media.cut.report import AudioReport, CutReport
from app.media.errors import MediaError


def add_streams(job: CutJob, out, report: CutReport) -> list[Iterator[av.Packet]]:
    """The clip's audio streams added to ``out``, one per chosen stream (or channels of
    one); returns the generators of their packets (and adds their :class:`AudioReport`
    to ``report``)."""
    gens = []
    for i, (s, channels) in enumerate(job.audio):
        if channels is None:
            oa, ar, gen = _add_stream(job, out, i, s)
        else:
            oa, ar, gen = _pcm_stream(job, out, i, s, PCM_BYTES[s.codec_context.name], channels)
        for k, v in s.metadata.items():
            if k not in ("encoder", "vendor_id", "file_package_umid"):
                oa.metadata[k] = v
        ar.source_stream = s.index
        ar.source_channels = list(channels) if channels is not None else None
        report.audio.append(ar)
        gens.append(gen)
    return gens


def _add_stream(job: CutJob, out, i: int, s):
    actx = s.codec_context
    name = actx.name
    fmt = job.master.fmt
    pcm_bytes = PCM_BYTES.get(name)
    if sliced(name, fmt):
        return _pcm_stream(job, out, i, s, pcm_bytes)
    if (
        fmt in ("mov", "mp4")
        and name == "aac"
        and actx.profile == "LC"  # HE-AAC's SBR would want a longer pre-roll
        and (copied := aac_packets(job, s.index))
    ):
        # AAC copied whole, trimmed by the edit list: no decode, no re-encode
        oa = out.add_stream_from_template(s)
        oa.time_base = Fraction(1, actx.sample_rate)
        ar = AudioReport(
            index=i,
            codec=name,
            handling="copy",
            sample_rate=actx.sample_rate,
            channels=actx.channels,
            samples=round(job.duration_s * actx.sample_rate),
        )
        return oa, ar, audio_copy(oa, copied)
    return _reencoded_stream(job, out, i, s, pcm_bytes)


def _pcm_stream(job: CutJob, out, i: int, s, pcm_bytes: int, channels=None):
    """PCM: the packets' bytes are sliced at sample boundaries, never decoded; with
    ``channels``, only those channels' bytes, as a stream of their own."""
    actx = s.codec_context
    if channels is None:
        oa = out.add_stream_from_template(s)
    else:
        oa = out.add_stream(actx.name, rate=actx.sample_rate)
        oa.codec_context.layout = layout_for(len(channels))
        oa.codec_context.format = actx.format.name
    oa.time_base = Fraction(1, actx.sample_rate)
    ar = AudioReport(
        index=i,
        codec=actx.name,
        handling="pcm-copy",
        sample_rate=actx.sample_rate,
        channels=len(channels) if channels is not None else actx.channels,
        samples=0,
    )
    return oa, ar, pcm_packets(job, s.index, oa, ar, pcm_bytes, channels)


def _reencoded_stream(job: CutJob, out, i: int, s, pcm_bytes: int | None):
    """Decoded and encoded again: the master's codec when FFmpeg can write it (PCM in
    MP4 becomes AAC; MXF takes 24-bit PCM), rate, channel count and bit rate."""
    actx = s.codec_context
    fmt = job.master.fmt
    rate = actx.sample_rate
    enc_name = actx.name
    if fmt == "mxf":
        enc_name = "pcm_s24le"
    elif pcm_bytes:  # PCM in MP4
        enc_name = "aac"
    try:
        av.codec.Codec(enc_name, "w")
    except (av.FFmpegError, ValueError):
        enc_name = {"mov": "aac", "mp4": "aac", "mpegts": "mp2"}[fmt]
    channels = actx.channels
    oa = out.add_stream(enc_name, rate=rate)
    oa.codec_context.layout = layout_for(channels)
    supported = [f.name for f in (oa.codec_context.codec.audio_formats or [])]
    sample_fmt = actx.format.name if actx.format else None
    oa.codec_context.format = (
        sample_fmt if sample_fmt in supported or not supported else supported[0]
    )
    if not enc_name.startswith("pcm_"):
        oa.codec_context.bit_rate = actx.bit_rate or 96000 * max(1, channels)
    oa.time_base = Fraction(1, rate)
    ar = AudioReport(
        index=i,
        codec=enc_name,
        handling="reencode",
        sample_rate=rate,
        channels=channels,
        samples=0,
    )
    return oa, ar, reencoded_packets(job, s.index, oa, ar)


def layout_for(channels: int) -> av.AudioLayout:
    """The default layout of ``channels`` channels (stereo, 5.1, 7.1...).

    The samples keep their count and order.  The source's layout object is never read:
    PyAV 18 corrupts memory on custom-order layouts (such as MOV's per-channel labels).
    """
    return av.AudioLayout(f"{channels}c")


# ---------------------------------------------------------------- PCM


def pcm_packets(job: CutJob, stream_index, out_stream, report, sample_bytes: int, channels=None):
    """PCM packets sliced at the in/out samples: the bytes are the master's (those of
    ``channels`` only, when given)."""
    tb = Fraction(1, out_stream.codec_context.sample_rate)  # samples, whatever the muxer's
    written = 0
    for data, n, block in _pcm_slices(job, stream_index, report, sample_bytes):
        if channels is not None:
            data = channel_bytes(data, block, sample_bytes, channels)
        p = av.Packet(data)
        p.pts = p.dts = written
        p.duration = n
        p.time_base = tb
        p.stream = out_stream
        written += n
        yield p
    report.samples = written


def _pcm_slices(job: CutJob, stream_index, report, sample_bytes: int):
    """(bytes, samples, bytes per sample frame) of the master's PCM from the in instant
    to the out instant, silence where it has none."""
    c = job.master.open(stream_index)
    s = [st for st in c.streams if st.index == stream_index][0]
    rate = s.codec_context.sample_rate
    t_start = job.t_in * job.master.tb
    n_total = round(job.duration_s * rate)
    written = 0
    block = 0  # bytes per sample frame of the master, from its first packet
    try:
        sought = t_start > 1 and s.time_base is not None
        if sought:
            c.seek(max(int((t_start - Fraction(1, 2)) / s.time_base), 0), stream=s)
        position: int | None = None
        for pkt in c.demux(s):
            if pkt.size == 0 or pkt.pts is None:
                continue
            data = bytes(pkt)
            if not block:  # derive the sample block size from the first packet
                if not pkt.duration:
                    raise MediaError("pcm_unaligned")
                block = round(len(data) / (pkt.duration * pkt.time_base * rate))
            n = len(data) // block
            if position is None:
                position = round((pkt.pts * pkt.time_base - t_start) * rate)
                if position > 0 and sought:
                    c.seek(0, stream=s)
                    sought = False
                    position = None
                    continue
            f_start = position
            position += n
            if position <= written:
                continue
            if f_start >= n_total:
                break
            if f_start > written:
                gap = min(f_start, n_total) - written
                if written == 0:
                    report.padded_start += gap
                written += gap
                yield bytes(gap * block), gap, block
            a = written - f_start
            b = min(n, n_total - f_start)
            written += b - a
            yield data[a * block : b * block], b - a, block
            if written >= n_total:
                break
        if written < n_total:
            block = block or sample_bytes * s.codec_context.channels
            gap = n_total - written
            report.padded_end += gap
            yield bytes(gap * block), gap, block
    finally:
        job.master.release(c)


# ---------------------------------------------------------------- AAC


def aac_packets(job: CutJob, stream_index: int) -> list[tuple[bytes, int, int]] | None:
    """The master's AAC packets that cover the clip, as (data, pts, duration) in
    samples on the clip's timeline, or None when they cannot simply be copied.

    The first packet starts at or before the in instant (negative pts) and is
    preceded by one more packet: the decoder needs it to overlap-add the first
    samples, and the MOV muxer turns the negative start into an edit list that
    players trim sample-exactly.  The last packet's duration is cut to the out
    instant, so the track lasts exactly as long as the video.  None for gaps,
    irregular packets, or a master whose audio does not span the clip (the
    re-encode pads those with silence).
    """
    t_start = job.t_in * job.master.tb
    for seek in (True, False) if t_start > 1 else (False,):
        c = job.master.open(stream_index)
        try:
            s = [st for st in c.streams if st.index == stream_index][0]
            if s.time_base != Fraction(1, s.codec_context.sample_rate):
                return None
            got, late = _aac_span(job, c, s, t_start, seek)
            if got is not None or not late:
                return got
        except av.FFmpegError:
            return None
        finally:
            job.master.release(c)
    return None


def _aac_span(job: CutJob, c, s, t_start, seek: bool):
    """(the packets, or None; whether the audio starts after the in instant)."""
    rate = s.codec_context.sample_rate
    frame = s.codec_context.frame_size or 1024
    n_total = round(job.duration_s * rate)
    if seek:
        c.seek(max(int((t_start - 1) / s.time_base), 0), stream=s)
    got: list[tuple[bytes, int, int]] = []
    end = None
    irregular = False
    for p in c.demux(s):
        if p.size == 0:
            continue
        if p.pts is None:
            return None, False
        pts = round((p.pts * s.time_base - t_start) * rate)
        dur = p.duration or frame
        if pts + dur <= 0:
            got = [(bytes(p), pts, dur)]  # pre-roll: only the last one
            end = pts + dur
            irregular = dur != frame
            continue
        if not got and pts > 0:
            return None, True  # the audio starts after the in instant
        if end is not None and pts != end:
            return None, False  # a gap or an overlap
        if pts <= 0:  # the first packet
            irregular = irregular or dur != frame and pts + dur < n_total
        end = pts + dur
        got.append((bytes(p), pts, min(dur, n_total - pts)))
        if end >= n_total:
            # the edit list trims the first packet exactly only if it and its pre-roll
            # are whole frames (the last may be short: the master's own end); short
            # packets between, where the master was spliced, are kept as they are
            return (None if irregular else got), False
    return None, False  # the audio ends before the out instant


def audio_copy(out_stream, packets: list[tuple[bytes, int, int]]) -> Iterator[av.Packet]:
    tb = out_stream.time_base
    for data, pts, dur in packets:
        p = av.Packet(data)
        p.pts = p.dts = pts
        p.duration = dur
        p.time_base = tb
        p.stream = out_stream
        yield p
