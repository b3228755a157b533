"""What a cut reports: how each part of the clip was made, and how long it took."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field


@dataclass
class AudioReport:
    index: int  # output audio stream number (0-based among audio streams)
    codec: str
    handling: str  # "pcm-copy" (bit-exact, sample-exact), "copy" (AAC) or "reencode"
    sample_rate: int
    channels: int
    samples: int
    padded_start: int = 0  # silence samples added where the master had no audio
    padded_end: int = 0
    source_stream: int | None = None  # the master's stream it was cut from
    source_channels: list[int] | None = None  # its channels taken (None: all)


@dataclass
class CutReport:
    in_frame: int
    out_frame: int
    frames: int
    method: str  # "copy" | "smart" | "reencode"
    container: str
    video_codec: str
    copied_packets: int = 0
    copied_frames: int = 0
    copied_range: tuple[int, int] | None = None  # source frames [a, b)
    reencoded_frames: int = 0
    reencoded_ranges: list[tuple[int, int]] = field(default_factory=list)
    encoder: str | None = None
    audio: list[AudioReport] = field(default_factory=list)
    start_timecode: str | None = None
    frame_rate: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)
