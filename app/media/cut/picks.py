"""Which audio a clip carries: whole streams of the master, or channels of a PCM stream.

A newsroom asks for "international sound only": one stereo stream of two, or channels
1-2 of an 8-channel PCM stream.  A whole stream is cut as any other (PCM sliced, AAC
copied, the rest re-encoded); channels are taken out of the master's PCM samples byte
for byte, so they stay bit-exact.  Channels of a compressed stream would have to be
decoded and encoded again: they cannot be picked (:func:`sliced`).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Bytes per sample of the PCM codecs whose packets are cut without decoding.
PCM_BYTES = {
    "pcm_s16le": 2, "pcm_s16be": 2, "pcm_s24le": 3, "pcm_s24be": 3, "pcm_s32le": 4,
    "pcm_s32be": 4, "pcm_f32le": 4, "pcm_f32be": 4, "pcm_f64le": 8, "pcm_f64be": 8,
    "pcm_s8": 1,
}  # fmt: skip


@dataclass(frozen=True)
class AudioPick:
    """One audio stream of the clip: the master's stream ``stream`` (its container
    index), whole (``channels`` None) or only its ``channels`` (0-based, in order)."""

    stream: int
    channels: tuple[int, ...] | None = None


def sliced(codec: str, fmt: str) -> bool:
    """Whether a stream of ``codec`` in a clip of muxer ``fmt`` is cut by slicing its
    PCM samples (never decoded), and so whether its channels can be picked.  FFmpeg
    writes no raw PCM in MP4: there it is re-encoded."""
    return codec in PCM_BYTES and fmt != "mp4"


def resolve(picks, streams, fmt: str) -> list[tuple[object, tuple[int, ...] | None]]:
    """The master's audio ``streams`` the clip carries, with the channels of each
    (None: all); every stream when ``picks`` is None.  ``ValueError`` for a pick
    naming no audio stream of the master, twice the same stream, channels it does not
    have, or channels of a stream that cannot be split."""
    if picks is None:
        return [(s, None) for s in streams]
    by_index = {s.index: s for s in streams}
    chosen = []
    seen = set()
    for pick in picks:
        stream = by_index.get(pick.stream)
        if stream is None:
            raise ValueError(f"the master has no audio stream {pick.stream}")
        if pick.stream in seen and pick.channels is None:
            raise ValueError(f"audio stream {pick.stream} is picked twice")
        seen.add(pick.stream)
        channels = pick.channels
        if channels is not None:
            count = stream.codec_context.channels
            if not channels or any(not 0 <= c < count for c in channels):
                raise ValueError(f"audio stream {pick.stream} has {count} channels")
            if len(set(channels)) != len(channels):
                raise ValueError(f"a channel of audio stream {pick.stream} is picked twice")
            if not sliced(stream.codec_context.name, fmt):
                raise ValueError(f"channels of audio stream {pick.stream} cannot be picked")
            if list(channels) == list(range(count)):
                channels = None
        chosen.append((stream, channels))
    return chosen


def channel_bytes(data: bytes, block: int, sample_bytes: int, channels) -> bytes:
    """The samples of ``channels`` out of interleaved PCM ``data`` (``block`` bytes per
    sample frame): each byte column moved by one slice, no Python loop per sample."""
    n = len(data) // block
    width = sample_bytes * len(channels)
    out = bytearray(n * width)
    for j, channel in enumerate(channels):
        for b in range(sample_bytes):
            out[j * sample_bytes + b :: width] = data[channel * sample_bytes + b :: block][:n]
    return bytes(out)
