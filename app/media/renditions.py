"""H.264/AAC MP4 renditions of a master, all from one decode, with PyAV.

`make_renditions(master, outputs)` decodes the master once and feeds every output from
the same decoded frames:

    demux -> decode video (threaded) -> [bwdif if interlaced] -> split
                 -> scale (w x h, yuv420p, SAR 1) -> libx264 -> MP4 (faststart)   x N
                 -> [SD 576i25] scale (720 x 576, fields apart if interlaced,
                    SAR of the master's shape) -> [interlace a 50p master]
                    -> libx264 (fields top first) -> MP4
          -> decode first audio stream -> downmix to stereo -> resample 48 kHz
                 -> AAC -> the same MP4s

Which rungs are made, at which size, is decided by `app.media.rendition_ladder` (the
specs, the plan and the report types are re-exported here); the audio chain and its
downmix rule are in `app.media.rendition_audio`.

Timing: output frames get consecutive constant-rate timestamps from the master's
(first video frame = 0); the audio is aligned on the same origin (padded with silence
or trimmed at the head as the master's own offset requires), as ffmpeg does.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from .errors import MediaError
from .info import MediaInfo
from .probe import probe
from .rendition_audio import AUDIO_RATE, AudioChain, downmix_pan
from .rendition_graph import video_graph
from .rendition_ladder import (
    DEFAULT_LADDER,
    Rendition,
    RenditionReport,
    RenditionSpec,
    SkippedRendition,
    plan_ladder,
    sample_aspect,
)
from .source import open_input, pick_video_stream

__all__ = [
    "DEFAULT_LADDER",
    "Rendition",
    "RenditionReport",
    "RenditionSpec",
    "SkippedRendition",
    "downmix_pan",
    "make_renditions",
    "plan_ladder",
    "publish_mode",
]


@dataclass
class _Plan:
    spec: RenditionSpec
    width: int
    height: int
    dest: Path
    tmp: Path | None = None
    container: Any = None
    vstream: Any = None
    astream: Any = None
    sink: Any = None
    rate: Fraction = Fraction(25)  # the output's frames per second
    sar: Fraction = Fraction(1)
    last_pts: int = -1
    frames: int = 0


def publish_mode(path: str | os.PathLike) -> None:
    """Give a `mkstemp` file (0600) the mode a plain new file would have (0666 & ~umask)."""
    umask = 0o022
    try:  # Linux: read it without the os.umask() set-and-restore race between threads
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    umask = int(line.split()[1], 8)
                    break
    except (OSError, ValueError):
        pass
    os.chmod(path, 0o666 & ~umask)


# --------------------------------------------------------------------------- main


def make_renditions(
    master: str | os.PathLike,
    outputs: Iterable[RenditionSpec | dict],
    progress: Callable[[float], None] | None = None,
    *,
    dest_dir: str | os.PathLike | None = None,
    info: MediaInfo | None = None,
) -> RenditionReport:
    """Encode every rung of `outputs` from one decode of `master`.

    Each output goes to its spec's ``path`` or to ``<dest_dir>/<name>.mp4``; it is
    written to a temporary file beside it and moved into place only when complete
    (nothing is left behind on failure).  `progress(fraction)` is called as the master
    is read (0..1, from the presentation time of the decoded video).  Returns a
    `RenditionReport`: the produced renditions (iterate it) and the skipped rungs.
    """
    info = info or probe(master)
    specs = [RenditionSpec.coerce(s) for s in outputs]
    chosen, skipped = plan_ladder(info, specs)
    report = RenditionReport(skipped=skipped)
    if not chosen:
        return report
    plans = [
        _Plan(
            spec,
            width,
            height,
            _destination(spec, dest_dir),
            rate=Fraction(spec.frame_rate or info.frame_rate),
            sar=sample_aspect(spec, width, height, info),
        )
        for spec, width, height in chosen
    ]
    _encode_and_publish(master, info, plans, progress)
    report.produced.extend(_describe(plan, info) for plan in plans)
    if progress:
        progress(1.0)
    return report


def _destination(spec: RenditionSpec, dest_dir: str | os.PathLike | None) -> Path:
    if spec.path:
        return Path(spec.path)
    if dest_dir is not None:
        return Path(dest_dir) / f"{spec.name}.mp4"
    raise ValueError(f"rendition {spec.name!r} has no path and no dest_dir was given")


def _encode_and_publish(master, info: MediaInfo, plans: list[_Plan], progress) -> None:
    """Encode into temporary files, then move them into place; clean up on any failure."""
    try:
        _encode_all(master, info, plans, progress)
        for plan in plans:
            os.replace(plan.tmp, plan.dest)
            plan.tmp = None
    except av.FFmpegError as exc:
        raise MediaError("renditions_failed", detail=str(exc)) from exc
    finally:
        for plan in plans:
            if plan.container is not None:
                with contextlib.suppress(Exception):
                    plan.container.close()
            if plan.tmp is not None:
                with contextlib.suppress(FileNotFoundError):
                    plan.tmp.unlink()


def _describe(plan: _Plan, info: MediaInfo) -> Rendition:
    duration = info.duration or (info.frame_count / float(info.frame_rate))
    size = plan.dest.stat().st_size
    return Rendition(
        name=plan.spec.name,
        label=plan.spec.label,
        path=str(plan.dest),
        size=size,
        width=plan.width,
        height=plan.height,
        duration=round(plan.frames / float(plan.rate), 6) or duration,
        bit_rate=int(size * 8 / duration) if duration > 0 else 0,
        frame_rate=str(plan.rate),
        has_audio=plan.astream is not None,
    )


# --------------------------------------------------------------------------- outputs


def _open_output(plan: _Plan, info: MediaInfo, with_audio: bool) -> None:
    spec = plan.spec
    plan.dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{plan.dest.stem}.", suffix=".mp4", dir=plan.dest.parent)
    os.close(fd)
    publish_mode(tmp)
    plan.tmp = Path(tmp)
    options = {"movflags": "+faststart"} if spec.faststart else {}
    plan.container = av.open(str(plan.tmp), "w", format="mp4", options=options)
    plan.vstream = _add_video_stream(plan)
    if with_audio:
        plan.astream = _add_audio_stream(plan)


def _x264_options(spec: RenditionSpec, rate: Fraction) -> dict[str, str]:
    x264: dict[str, str] = {"preset": spec.preset, "profile": spec.profile}
    params = []
    if spec.keyframe_interval:
        gop = max(1, round(spec.keyframe_interval * rate))
        params.append(f"keyint={gop}:min-keyint={gop}:scenecut=0")
    if spec.video_bitrate is None:
        x264["crf"] = str(spec.crf if spec.crf is not None else 23)
    if spec.maxrate:
        x264["maxrate"] = str(spec.maxrate)
        x264["bufsize"] = str(spec.maxrate * 2)
    if spec.interlaced:
        params.append("tff=1")  # interlaced coding (MBAFF), top field first
    if params:
        x264["x264-params"] = ":".join(params)
    return x264


def _add_video_stream(plan: _Plan):
    spec, rate = plan.spec, plan.rate
    vstream = plan.container.add_stream("libx264", rate=rate, options=_x264_options(spec, rate))
    cc = vstream.codec_context
    cc.width = plan.width
    cc.height = plan.height
    cc.pix_fmt = "yuv420p"
    cc.time_base = 1 / rate
    cc.thread_type = "AUTO"  # frame threads, as the ffmpeg command line uses
    cc.thread_count = 0
    if spec.video_bitrate:
        cc.bit_rate = int(spec.video_bitrate)
    cc.sample_aspect_ratio = plan.sar
    return vstream


def _add_audio_stream(plan: _Plan):
    astream = plan.container.add_stream("aac", rate=AUDIO_RATE)
    acc = astream.codec_context
    acc.layout = "stereo"
    acc.format = "fltp"
    acc.bit_rate = int(plan.spec.audio_bitrate)
    acc.time_base = Fraction(1, AUDIO_RATE)
    return astream


def _finish_output(plan: _Plan) -> None:
    """Flush the plan's encoders and close its file."""
    for packet in plan.vstream.encode(None):
        plan.container.mux(packet)
    if plan.astream is not None:
        for packet in plan.astream.encode(None):
            plan.container.mux(packet)
    if plan.frames == 0:
        raise MediaError("undecodable", detail="no picture came out")
    plan.container.close()
    plan.container = None


# --------------------------------------------------------------------------- encoding


def _encode_all(master, info: MediaInfo, plans: list[_Plan], progress) -> None:
    with open_input(master) as opened:
        container = opened.container
        vstream = pick_video_stream(container)
        if vstream is None:
            raise MediaError("no_video_stream")
        astream = container.streams.audio[0] if container.streams.audio else None
        vstream.thread_type = "AUTO"
        vstream.thread_count = 0
        for plan in plans:
            _open_output(plan, info, astream is not None)
        audio = None
        if astream is not None:
            _name, names = opened.layout_info(astream)
            audio = AudioChain(downmix_pan(astream.codec_context.channels, names), info.start_time)
        feeder = _Feeder(info, plans, vstream, audio, progress)
        feeder.run(container, astream)
        for plan in plans:
            _finish_output(plan)


class _Feeder:
    """Decoded frames of the master -> every plan's filters and encoders."""

    def __init__(self, info: MediaInfo, plans: list[_Plan], vstream, audio, progress):
        self.info = info
        self.plans = plans
        self.vstream = vstream
        self.audio: AudioChain | None = audio
        self.progress = progress
        self.t0 = info.start_time
        self.rate = info.frame_rate
        self.duration = info.duration or 1.0
        self.video_tb = vstream.time_base or Fraction(1, 90000)
        self.graph = None  # the Graph must outlive its filter contexts
        self.graph_src = None
        self.reported = -1.0
        self.decoded_index = 0

    def run(self, container, astream) -> None:
        """Demux and decode the master to its end, then flush the decoders and filters."""
        streams = [self.vstream] + ([astream] if astream is not None else [])
        for packet in container.demux(*streams):
            is_video = packet.stream.index == self.vstream.index
            try:
                frames = packet.decode()
            except av.InvalidDataError:
                continue  # a damaged packet: skip, as players do
            for frame in frames:
                if is_video:
                    self.feed_video(frame)
                    self._report(frame)
                else:
                    self.feed_audio(frame)
        # flush decoders (demux already sent the final empty packets), filters, encoders
        self.feed_video(None)
        if self.audio is not None:
            self.feed_audio(None)

    def feed_video(self, frame) -> None:
        if frame is not None:
            self._stamp(frame)
        elif self.graph_src is None:
            return
        self.graph_src.push(frame)
        for plan in self.plans:
            while True:
                try:
                    out = plan.sink.pull()
                except (av.error.BlockingIOError, av.error.EOFError):
                    break
                _encode_video(plan, out, self.t0)

    def _stamp(self, frame) -> None:
        """Build the filter graph on the first frame; give a frame without pts its own."""
        if self.graph_src is None:
            self.graph, self.graph_src = video_graph(frame, self.info, self.plans, self.video_tb)
        if frame.pts is None:
            frame.pts = int(round((self.t0 + self.decoded_index / self.rate) / self.video_tb))
        self.decoded_index += 1

    def feed_audio(self, frame) -> None:
        for out in self.audio.push(frame):
            for plan in self.plans:
                for packet in plan.astream.encode(out):
                    plan.container.mux(packet)

    def _report(self, frame) -> None:
        if self.progress and frame.time is not None:
            fraction = min(max((frame.time - self.t0) / self.duration, 0.0), 0.999)
            if fraction - self.reported >= 0.01:
                self.reported = fraction
                self.progress(fraction)


def _encode_video(plan: _Plan, frame, t0: float) -> None:
    rate = plan.rate
    pts = int(round((frame.time - t0) * rate)) if frame.time is not None else plan.last_pts + 1
    if pts <= plan.last_pts:
        pts = plan.last_pts + 1
    if pts < 0:
        return  # before the first picture (should not happen): drop
    plan.last_pts = pts
    frame.pts = pts
    frame.time_base = 1 / rate
    frame.pict_type = av.video.frame.PictureType.NONE
    plan.frames += 1
    for packet in plan.vstream.encode(frame):
        plan.container.mux(packet)
