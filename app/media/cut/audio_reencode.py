"""Audio decoded and encoded again (MP2, AC-3 in MPEG-TS, AAC that cannot be copied...).

The decoded frames are placed on the clip's sample timeline by their timestamps: a
master spliced by stream copy jumps at each splice, so a gap there is filled with
silence and an overlap dropped, and the clip stays in sync after each splice.  Where
the master's audio starts late or ends early, silence pads it to the video's length.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from fractions import Fraction

import av

from app.media.cut.job import CutJob
from app.media.cut.report import AudioReport


class _Reseek(Exception):
    """The seek landed after the in point: the stream is read again from its start."""


def reencoded_packets(job: CutJob, stream_index: int, out_stream, report: AudioReport):
    """Encoded packets of one audio stream, cut at the video's in/out instants."""
    try:
        yield from _reencode_once(job, stream_index, out_stream, report, seek=True)
    except _Reseek:  # the seek landed after the in point: read from the start
        yield from _reencode_once(job, stream_index, out_stream, report, seek=False)


class _Timeline:
    """The clip's samples so far, and where the next decoded sample of the master falls."""

    def __init__(self, out_stream, rate: int, n_total: int, slack: int, report: AudioReport):
        self.out_stream = out_stream
        self.rate = rate
        self.n_total = n_total
        self.slack = slack
        self.report = report
        self.layout = out_stream.codec_context.layout
        enc_format = out_stream.codec_context.format
        self.fmt_name = enc_format.name if enc_format else None
        self.written = 0  # samples written to the clip
        self.pts = 0  # the next encoded frame's pts
        self.position: int | None = None  # clip sample index of the next decoded sample
        self.stop = False

    def emit(self, frame) -> Iterator[av.Packet]:
        frame.pts = self.pts
        frame.time_base = Fraction(1, self.rate)
        self.pts += frame.samples
        yield from self.out_stream.encode(frame)

    def silence(self, n: int) -> Iterator[av.Packet]:
        frame = av.AudioFrame(format=self.fmt_name, layout=self.layout, samples=n)
        for plane in frame.planes:
            plane.update(bytes(plane.buffer_size))
        frame.sample_rate = self.rate
        yield from self.emit(frame)
        self.written += n

    def place(self, frame, t_start, sought: bool) -> Iterator[av.Packet]:
        """Encode what of ``frame`` falls in the clip, silence before it if it starts
        late; sets :attr:`stop` once a frame starts past the out instant."""
        self.fmt_name = frame.format.name
        at = None
        if frame.pts is not None:
            at = round((frame.pts * frame.time_base - t_start) * self.rate)
        if self.position is None:
            if at is None:
                return
            self.position = at
            if self.position > 0 and sought:
                raise _Reseek
        elif at is not None and abs(at - self.position) > self.slack:
            # a splice: the timestamps place the frame, not the count of samples
            # before it (a gap is filled, an overlap dropped below)
            self.position = at
        f_start = self.position
        self.position += frame.samples
        if self.position <= self.written:
            return  # before the in point
        if f_start >= self.n_total:
            self.stop = True
            return
        if f_start > self.written:  # the master has no audio here: silence
            gap = min(f_start, self.n_total) - self.written
            if self.written == 0:
                self.report.padded_start += gap
            yield from self.silence(gap)
        a = self.written - f_start
        b = min(frame.samples, self.n_total - f_start)
        yield from self.emit(slice_audio(frame, a, b, self.layout))
        self.written = f_start + b

    def done(self) -> bool:
        return self.position is not None and self.position >= self.n_total

    def finish(self) -> Iterator[av.Packet]:
        """Silence to the out instant if the master's audio ended early; the flush."""
        if self.written < self.n_total:
            gap = self.n_total - self.written
            self.report.padded_end += gap
            yield from self.silence(gap)
            self.written = self.n_total
        yield from self.out_stream.encode(None)


def _reencode_once(job: CutJob, stream_index: int, out_stream, report: AudioReport, seek: bool):
    c = job.master.open(stream_index)
    s = [st for st in c.streams if st.index == stream_index][0]
    rate = s.codec_context.sample_rate
    t_start = job.t_in * job.master.tb
    n_total = round(job.duration_s * rate)
    # Timestamps place each decoded frame (spliced masters jump at the splices),
    # but they are rounded to their clock: within a millisecond, or one tick of a
    # coarser clock, the count of samples rules, so rounding never makes a click.
    tick = s.time_base * rate if s.time_base else 0
    slack = max(rate // 1000, math.ceil(tick) + 1)
    timeline = _Timeline(out_stream, rate, n_total, slack, report)
    try:
        sought = seek and t_start > 1 and s.time_base is not None
        if sought:
            c.seek(max(int((t_start - Fraction(1, 2)) / s.time_base), 0), stream=s)
        for packet in c.demux(s):
            try:
                frames = packet.decode()
            except av.FFmpegError:
                continue
            for frame in frames:
                if frame.samples == 0:
                    continue
                yield from timeline.place(frame, t_start, sought)
                if timeline.stop:
                    break
            if timeline.done():
                break
        yield from timeline.finish()
    finally:
        job.master.release(c)
    report.samples = timeline.written


def slice_audio(frame: av.AudioFrame, a: int, b: int, layout) -> av.AudioFrame:
    """Samples [a, b) of ``frame`` as a new frame (no resampling, exact bytes)."""
    fmt = frame.format
    n = b - a
    new = av.AudioFrame(format=fmt.name, layout=layout, samples=n)
    per_sample = fmt.bytes if fmt.is_planar else fmt.bytes * len(layout.channels)
    for src_plane, dst_plane in zip(frame.planes, new.planes, strict=False):
        data = bytes(src_plane)[a * per_sample : b * per_sample]
        dst_plane.update(data)
    new.sample_rate = frame.sample_rate
    return new
