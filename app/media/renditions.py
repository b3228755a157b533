"""H.264/AAC MP4 renditions of a master, all from one decode, with PyAV.

`make_renditions(master, outputs)` decodes the master once and feeds every output from
the same decoded frames:

    demux -> decode video (threaded) -> [bwdif if interlaced] -> split
                 -> scale (w x h, yuv420p, SAR 1) -> libx264 -> MP4 (faststart)   x N
          -> decode first audio stream -> downmix to stereo -> resample 48 kHz
                 -> AAC -> the same MP4s

The ladder (which rungs, sizes, rates) belongs to the app's configuration and is passed
in as a list of `RenditionSpec` (or plain dicts with the same keys).  A rung taller than
the source is skipped (never upscaled) unless it is marked ``always``, in which case it
is made at the source height.

Timing: output frames get consecutive constant-rate timestamps from the master's
(first video frame = 0); the audio is aligned on the same origin (padded with silence
or trimmed at the head as the master's own offset requires), as ffmpeg does.

Audio downmix (first audio stream only): mono is copied to both sides; a layout with
named front channels (stereo, 5.1, 7.1 ...) is folded down as L = FL + 0.707 FC +
0.707 (SL, BL) (same for R; LFE dropped), normalised against clipping; a layout without
channel names (MXF/PCM "4 channels", "8 channels": discrete tracks) keeps its first two
channels, which is where broadcast masters carry the stereo mix.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from .errors import MediaError
from .probe import MediaInfo, open_input, pick_video_stream, probe

AUDIO_RATE = 48000
AAC_FRAME = 1024


@dataclass
class RenditionSpec:
    """One rung of a rendition ladder."""

    name: str  # short id, also the default file name: "proxy" -> proxy.mp4
    max_height: int  # lines; the width follows the display aspect ratio
    label: str | None = None  # for people: "Full HD", "HD", "Web proxy"
    crf: float | None = 23  # constant quality (used when video_bitrate is None)
    video_bitrate: int | None = None  # bits/s; average-bitrate mode when set
    maxrate: int | None = None  # bits/s VBV cap (bufsize = 2 x maxrate)
    preset: str = "veryfast"  # libx264 preset
    profile: str = "high"
    audio_bitrate: int = 128_000  # bits/s, AAC-LC stereo
    keyframe_interval: float | None = 2.0  # seconds between IDR frames (fixed GOP)
    faststart: bool = True  # moov before mdat
    always: bool = False  # make it at source height when the source is smaller
    path: str | None = None  # where to write; default <dest_dir>/<name>.mp4

    @classmethod
    def coerce(cls, value: RenditionSpec | dict[str, Any]) -> RenditionSpec:
        if isinstance(value, cls):
            return value
        if not isinstance(value, dict):
            raise TypeError(f"a rendition spec must be a RenditionSpec or a dict, not {value!r}")
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in value.items() if k in names})

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


#: A reference ladder (the app passes its own, from config.py).
DEFAULT_LADDER = [
    RenditionSpec(
        name="proxy",
        label="Web proxy",
        max_height=540,
        crf=26,
        maxrate=2_000_000,
        preset="veryfast",
        audio_bitrate=96_000,
        keyframe_interval=1.0,
        always=True,
    ),
    RenditionSpec(name="1080p", label="Full HD", max_height=1080, crf=20, preset="veryfast"),
    RenditionSpec(name="720p", label="HD", max_height=720, crf=21, preset="veryfast"),
]


@dataclass
class Rendition:
    name: str
    label: str | None
    path: str
    size: int  # bytes
    width: int
    height: int
    duration: float  # seconds
    bit_rate: int  # overall, bits/s (size x 8 / duration)
    frame_rate: str  # "25", "30000/1001"
    has_audio: bool

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class SkippedRendition:
    name: str
    label: str | None
    reason: str  # e.g. "the source is only 720 lines high (no upscaling)"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class RenditionReport:
    """What `make_renditions` did: iterating it yields the produced renditions."""

    produced: list[Rendition] = field(default_factory=list)
    skipped: list[SkippedRendition] = field(default_factory=list)

    def __iter__(self) -> Iterator[Rendition]:
        return iter(self.produced)

    def __len__(self) -> int:
        return len(self.produced)

    def __getitem__(self, index: int) -> Rendition:
        return self.produced[index]

    def to_dict(self) -> dict[str, Any]:
        return {
            "produced": [r.to_dict() for r in self.produced],
            "skipped": [s.to_dict() for s in self.skipped],
        }


# --------------------------------------------------------------------------- planning


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


def _even(value: float) -> int:
    return max(2, int(round(value / 2)) * 2)


def plan_ladder(
    info: MediaInfo, specs: Iterable[RenditionSpec | dict]
) -> tuple[list[tuple[RenditionSpec, int, int]], list[SkippedRendition]]:
    """Which rungs to make at which size for `info`, and which to skip (no upscaling)."""
    made: list[tuple[RenditionSpec, int, int]] = []
    skipped: list[SkippedRendition] = []
    display_w = info.display_width
    for raw in specs:
        spec = RenditionSpec.coerce(raw)
        height = spec.max_height
        if height > info.height:
            if not spec.always:
                skipped.append(
                    SkippedRendition(
                        spec.name,
                        spec.label,
                        f"the source is only {info.height} lines high; "
                        f"{spec.max_height} would be an upscale",
                    )
                )
                continue
            height = info.height
        height = _even(height) if height % 2 else height
        width = _even(height * display_w / info.height)
        made.append((spec, width, height))
    return made, skipped


# --------------------------------------------------------------------------- audio


def downmix_pan(channels: int, names: list[str]) -> str:
    """A `pan` filter argument folding `channels` (named `names`, if known) to stereo."""
    if channels <= 1:
        return "stereo|c0=c0|c1=c0"
    if names and "FL" in names and "FR" in names:
        idx = {name: i for i, name in enumerate(names)}
        left = [f"c{idx['FL']}"]
        right = [f"c{idx['FR']}"]
        if "FC" in idx:
            left.append(f"0.707*c{idx['FC']}")
            right.append(f"0.707*c{idx['FC']}")
        for lname, rname in (("SL", "SR"), ("BL", "BR"), ("TFL", "TFR")):
            if lname in idx and rname in idx:
                left.append(f"0.707*c{idx[lname]}")
                right.append(f"0.707*c{idx[rname]}")
        if len(left) == 1:
            return f"stereo|c0={left[0]}|c1={right[0]}"
        return f"stereo|c0<{'+'.join(left)}|c1<{'+'.join(right)}"
    return "stereo|c0=c0|c1=c1"


class _AudioChain:
    """Decoded audio frames -> stereo fltp 48 kHz frames of 1024 samples, origin t0."""

    def __init__(self, pan: str, t0: float):
        self.pan = pan
        self.t0 = t0
        self.graph = None
        self.src = None
        self.sink = None

    def _setup(self, frame) -> None:
        graph = av.filter.Graph()
        rate = frame.sample_rate
        self.src = graph.add_abuffer(
            sample_rate=rate,
            format=frame.format.name,
            layout=frame.layout.name,
            channels=len(frame.layout.channels),
            time_base=Fraction(1, rate),
        )
        pan = graph.add("pan", self.pan)
        resample = graph.add("aresample", f"{AUDIO_RATE}:async=1:first_pts=0:min_hard_comp=0.02")
        fmt = graph.add("aformat", "sample_fmts=fltp:channel_layouts=stereo")
        self.sink = graph.add("abuffersink")
        graph.link_nodes(self.src, pan, resample, fmt, self.sink)
        graph.configure()
        graph.set_audio_frame_size(AAC_FRAME)
        self.graph = graph

    def push(self, frame) -> list:
        if frame is None:
            if self.src is None:
                return []
            self.src.push(None)
            return self._drain()
        if self.src is None:
            self._setup(frame)
        if frame.time is not None:
            frame.pts = int(round((frame.time - self.t0) * frame.sample_rate))
        frame.time_base = Fraction(1, frame.sample_rate)
        self.src.push(frame)
        return self._drain()

    def _drain(self) -> list:
        out = []
        while True:
            try:
                out.append(self.sink.pull())
            except (av.error.BlockingIOError, av.error.EOFError):
                return out


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
    plans = []
    for spec, width, height in chosen:
        if spec.path:
            dest = Path(spec.path)
        elif dest_dir is not None:
            dest = Path(dest_dir) / f"{spec.name}.mp4"
        else:
            raise ValueError(f"rendition {spec.name!r} has no path and no dest_dir was given")
        plans.append(_Plan(spec, width, height, dest))

    try:
        _encode_all(master, info, plans, progress)
        for plan in plans:
            os.replace(plan.tmp, plan.dest)
            plan.tmp = None
    except av.FFmpegError as exc:
        raise MediaError(f"The renditions could not be made: {exc}.") from exc
    finally:
        for plan in plans:
            if plan.container is not None:
                with contextlib.suppress(Exception):
                    plan.container.close()
            if plan.tmp is not None:
                with contextlib.suppress(FileNotFoundError):
                    plan.tmp.unlink()

    duration = info.duration or (info.frame_count / float(info.frame_rate))
    for plan in plans:
        size = plan.dest.stat().st_size
        report.produced.append(
            Rendition(
                name=plan.spec.name,
                label=plan.spec.label,
                path=str(plan.dest),
                size=size,
                width=plan.width,
                height=plan.height,
                duration=round(plan.frames / float(info.frame_rate), 6) or duration,
                bit_rate=int(size * 8 / duration) if duration > 0 else 0,
                frame_rate=str(info.frame_rate),
                has_audio=plan.astream is not None,
            )
        )
    if progress:
        progress(1.0)
    return report


def _open_output(plan: _Plan, info: MediaInfo, with_audio: bool) -> None:
    spec = plan.spec
    plan.dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{plan.dest.stem}.", suffix=".mp4", dir=plan.dest.parent)
    os.close(fd)
    publish_mode(tmp)
    plan.tmp = Path(tmp)
    options = {"movflags": "+faststart"} if spec.faststart else {}
    plan.container = av.open(str(plan.tmp), "w", format="mp4", options=options)

    rate = info.frame_rate
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
    if params:
        x264["x264-params"] = ":".join(params)
    vstream = plan.container.add_stream("libx264", rate=rate, options=x264)
    cc = vstream.codec_context
    cc.width = plan.width
    cc.height = plan.height
    cc.pix_fmt = "yuv420p"
    cc.time_base = 1 / rate
    cc.thread_type = "AUTO"  # frame threads, as the ffmpeg command line uses
    cc.thread_count = 0
    if spec.video_bitrate:
        cc.bit_rate = int(spec.video_bitrate)
    cc.sample_aspect_ratio = Fraction(1, 1)
    plan.vstream = vstream
    if with_audio:
        astream = plan.container.add_stream("aac", rate=AUDIO_RATE)
        acc = astream.codec_context
        acc.layout = "stereo"
        acc.format = "fltp"
        acc.bit_rate = int(spec.audio_bitrate)
        acc.time_base = Fraction(1, AUDIO_RATE)
        plan.astream = astream


def _video_graph(frame, info: MediaInfo, plans: list[_Plan], time_base: Fraction):
    graph = av.filter.Graph()
    src = graph.add_buffer(
        width=frame.width,
        height=frame.height,
        format=frame.format,
        time_base=time_base,
    )
    head = src
    if info.interlaced:
        deint = graph.add("bwdif", "mode=send_frame:parity=auto:deint=all")
        head.link_to(deint)
        head = deint
    if len(plans) > 1:
        split = graph.add("split", str(len(plans)))
        head.link_to(split)
    for index, plan in enumerate(plans):
        scale = graph.add("scale", f"{plan.width}:{plan.height}:flags=bicubic")
        if len(plans) > 1:
            split.link_to(scale, index, 0)
        else:
            head.link_to(scale)
        fmt = graph.add("format", "yuv420p")
        sar = graph.add("setsar", "1")
        sink = graph.add("buffersink")
        scale.link_to(fmt)
        fmt.link_to(sar)
        sar.link_to(sink)
        plan.sink = sink
    graph.configure()
    return graph, src


def _encode_all(master, info: MediaInfo, plans: list[_Plan], progress) -> None:
    with open_input(master) as opened:
        container = opened.container
        vstream = pick_video_stream(container)
        if vstream is None:
            raise MediaError("The file contains no video stream.")
        astream = container.streams.audio[0] if container.streams.audio else None
        vstream.thread_type = "AUTO"
        vstream.thread_count = 0
        for plan in plans:
            _open_output(plan, info, astream is not None)

        t0 = info.start_time
        rate = info.frame_rate
        duration = info.duration or 1.0
        audio = None
        if astream is not None:
            _name, names = opened.layout_info(astream)
            audio = _AudioChain(downmix_pan(astream.codec_context.channels, names), t0)
        graph_src = None
        graph_keep: list = []  # the Graph must outlive its filter contexts
        video_tb = vstream.time_base or Fraction(1, 90000)
        reported = -1.0
        decoded_index = 0

        def feed_video(frame) -> None:
            nonlocal graph_src, decoded_index
            if frame is not None:
                if graph_src is None:
                    graph, graph_src = _video_graph(frame, info, plans, video_tb)
                    graph_keep.append(graph)
                if frame.pts is None:
                    frame.pts = int(round((t0 + decoded_index / rate) / video_tb))
                decoded_index += 1
            elif graph_src is None:
                return
            graph_src.push(frame)
            for plan in plans:
                while True:
                    try:
                        out = plan.sink.pull()
                    except (av.error.BlockingIOError, av.error.EOFError):
                        break
                    _encode_video(plan, out, t0, rate)

        def feed_audio(frame) -> None:
            for out in audio.push(frame):
                for plan in plans:
                    for packet in plan.astream.encode(out):
                        plan.container.mux(packet)

        streams = [vstream] + ([astream] if astream is not None else [])
        for packet in container.demux(*streams):
            is_video = packet.stream.index == vstream.index
            try:
                frames = packet.decode()
            except av.InvalidDataError:
                continue  # a damaged packet: skip, as players do
            for frame in frames:
                if is_video:
                    feed_video(frame)
                    if progress and frame.time is not None:
                        fraction = min(max((frame.time - t0) / duration, 0.0), 0.999)
                        if fraction - reported >= 0.01:
                            reported = fraction
                            progress(fraction)
                else:
                    feed_audio(frame)
        # flush decoders (demux already sent the final empty packets), filters, encoders
        feed_video(None)
        if audio is not None:
            feed_audio(None)
        for plan in plans:
            for packet in plan.vstream.encode(None):
                plan.container.mux(packet)
            if plan.astream is not None:
                for packet in plan.astream.encode(None):
                    plan.container.mux(packet)
            if plan.frames == 0:
                raise MediaError("The video stream could not be decoded: no picture came out.")
            plan.container.close()
            plan.container = None


def _encode_video(plan: _Plan, frame, t0: float, rate: Fraction) -> None:
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
