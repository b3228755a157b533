"""The rendition ladder: which H.264/AAC MP4 renditions to make of a master, and at what size.

The ladder (which rungs, sizes, rates) belongs to the app's configuration and is passed
in as a list of `RenditionSpec` (or plain dicts with the same keys).  `plan_ladder`
decides, for one master, which rungs are made at which size: only a rung strictly
shorter than the source is made.  A rung as tall as the source or taller is skipped (it
would be an upscale, or a copy of the master's own size that is larger than the
original) unless it is marked ``always`` (the player's proxy), in which case it is made
at the source height.

A broadcast SD rung (``width``, ``interlaced``, ``frame_rate``: 576i25) is made only
from a master whose frame rate it can carry without a conversion: 25 frames/s
(interlaced or progressive, kept as such) or 50 (two pictures become one frame's two
fields). Why this ladder: docs/media.md, "Renditions".

The encoding itself is `app.media.renditions.make_renditions`, which reports what it
made and skipped with the `Rendition`, `SkippedRendition` and `RenditionReport` below.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from .info import MediaInfo


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
    always: bool = False  # make it at source height when the source is not taller
    path: str | None = None  # where to write; default <dest_dir>/<name>.mp4
    # Broadcast SD: a stored width (720) with the master's picture shape kept by the
    # sample aspect ratio (64:45 for 16:9), fields top first, and a fixed frame rate
    # (25): made only from a master at that rate (interlaced or not) or at twice it.
    width: int | None = None
    interlaced: bool = False
    frame_rate: int | None = None

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
    RenditionSpec(
        name="sd",
        label="SD 576i25",
        max_height=576,
        width=720,
        interlaced=True,
        frame_rate=25,
        crf=20,
        maxrate=8_000_000,
        keyframe_interval=0.48,
    ),
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
    reason: str  # e.g. "the source is only 720 lines high; 1080 would be an upscale"

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


def _even(value: float) -> int:
    return max(2, int(round(value / 2)) * 2)


def _rate_refusal(spec: RenditionSpec, info: MediaInfo) -> str | None:
    if spec.frame_rate is None or info.frame_rate in (spec.frame_rate, 2 * spec.frame_rate):
        return None
    return (
        f"the source runs at {float(info.frame_rate):.3g} frames per second; "
        f"{spec.frame_rate} would need a frame-rate conversion"
    )


def sample_aspect(spec: RenditionSpec, width: int, height: int, info: MediaInfo) -> Fraction:
    """The sample aspect ratio that shows a `width` x `height` rung at the master's shape:
    1:1 unless the rung has a stored width (SD 720x576 of a 16:9 master: 64:45)."""
    if spec.width is None:
        return Fraction(1, 1)
    return (Fraction(info.display_width, info.height) * height / width).limit_denominator(1000)


def _skip_reason(spec: RenditionSpec, info: MediaInfo) -> str:
    if spec.max_height > info.height:
        return f"the source is only {info.height} lines high; {spec.max_height} would be an upscale"
    return (
        f"the source is {info.height} lines high; "
        f"a {spec.max_height}-line rendition would not be smaller"
    )


def plan_ladder(
    info: MediaInfo, specs: Iterable[RenditionSpec | dict]
) -> tuple[list[tuple[RenditionSpec, int, int]], list[SkippedRendition]]:
    """Which rungs to make at which size for `info`, and which to skip.

    A rung is made only if it is shorter than the source (or marked ``always``): no
    upscale, and no rendition of the master's own size; a rung with a frame rate only
    from a master at that rate or twice it.
    """
    made: list[tuple[RenditionSpec, int, int]] = []
    skipped: list[SkippedRendition] = []
    display_w = info.display_width
    for raw in specs:
        spec = RenditionSpec.coerce(raw)
        refusal = _rate_refusal(spec, info)
        if refusal:
            skipped.append(SkippedRendition(spec.name, spec.label, refusal))
            continue
        height = spec.max_height
        if height >= info.height:
            if not spec.always:
                skipped.append(SkippedRendition(spec.name, spec.label, _skip_reason(spec, info)))
                continue
            height = info.height
        height = _even(height) if height % 2 else height
        width = spec.width or _even(height * display_w / info.height)
        made.append((spec, width, height))
    return made, skipped
