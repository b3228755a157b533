"""The audio of a rendition: the master's first audio stream as stereo AAC frames.

Decoded frames -> downmix to stereo (``pan``) -> resample to 48 kHz fltp -> frames of
1024 samples, ready for the AAC encoder, on the timing origin of the video.

Downmix: mono is copied to both sides; a layout with named front channels (stereo, 5.1,
7.1 ...) is folded down as L = FL + 0.707 FC + 0.707 (SL, BL) (same for R; LFE dropped),
normalised against clipping; a layout without channel names (MXF/PCM "4 channels",
"8 channels": discrete tracks) keeps its first two channels, which is where broadcast
masters carry the stereo mix.
"""

from __future__ import annotations

from fractions import Fraction

import av

AUDIO_RATE = 48000
AAC_FRAME = 1024


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


class AudioChain:
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
        """Filter one decoded frame (None: flush); return the frames now ready."""
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
