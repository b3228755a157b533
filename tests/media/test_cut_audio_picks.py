"""Clips restricted to chosen audio: whole streams of a master with two stereo streams,
channel pairs of an 8-channel PCM stream.  FFmpeg is the judge: the clip's streams are
counted by ffprobe, and their raw samples compared byte for byte with the master's
(the channels taken out of the master's interleaved samples by a plain loop here)."""

from __future__ import annotations

import subprocess
from fractions import Fraction
from pathlib import Path

import pytest

from app.media import cut
from app.media.cut import AudioPick
from app.media.probe import probe
from tests import mediagen
from tests.media.test_smartcut import count_frames
from tests.mediagen import FFMPEG, ffprobe_json

pytestmark = pytest.mark.media

media_dir = mediagen.media_dir
master = mediagen.master

RATE = Fraction(25)
SR = 48000
BPS = 3  # s24le


def raw(path: Path, audio_index: int) -> bytes:
    """The samples of the clip's or master's audio stream ``audio_index`` (0-based among
    its audio streams), as ffmpeg reads them."""
    out = subprocess.run(
        [FFMPEG, "-nostdin", "-v", "error", "-i", str(path), "-map", f"0:a:{audio_index}"]
        + ["-f", "s24le", "-"],
        capture_output=True,
        timeout=120,
        check=True,
    )
    return out.stdout


def audio_streams(path: Path) -> list[dict]:
    return [s for s in ffprobe_json(path)["streams"] if s["codec_type"] == "audio"]


def span(data: bytes, channels: int, in_frame: int, out_frame: int) -> bytes:
    block = channels * BPS
    start = round(in_frame / RATE * SR)
    count = round((out_frame - in_frame) / RATE * SR)
    return data[start * block : (start + count) * block]


def channels_of(data: bytes, count: int, wanted: tuple[int, ...]) -> bytes:
    block = count * BPS
    out = bytearray()
    for offset in range(0, len(data), block):
        frame = data[offset : offset + block]
        for c in wanted:
            out += frame[c * BPS : (c + 1) * BPS]
    return bytes(out)


@pytest.mark.parametrize(("in_frame", "out_frame"), [(0, 50), (7, 38)])
@pytest.mark.parametrize("order", [(2,), (1,), (2, 1)])
def test_chosen_stereo_streams_only_sample_exact(master, tmp_path, in_frame, out_frame, order):
    """International sound only, or the voice-over only, or both swapped: the clip has
    those streams, in that order, each the master's samples of the range; the others
    are absent."""
    src = master("two_stereo")
    dest = tmp_path / "c.mov"
    report = cut.cut(src, in_frame, out_frame, dest, audio=[AudioPick(i) for i in order])
    streams = audio_streams(dest)
    assert len(streams) == len(order) == len(report.audio)
    assert [a.source_stream for a in report.audio] == list(order)
    for k, stream_index in enumerate(order):
        assert streams[k]["channels"] == 2
        assert report.audio[k].handling == "pcm-copy"
        want = span(raw(src, stream_index - 1), 2, in_frame, out_frame)
        assert len(want) == round((out_frame - in_frame) / RATE * SR) * 2 * BPS
        assert raw(dest, k) == want
    # the voice-over keeps its language tag
    languages = [s.get("tags", {}).get("language") for s in streams]
    assert ("fra" in languages) == (2 in order)


@pytest.mark.parametrize(("in_frame", "out_frame"), [(0, 50), (13, 29)])
def test_channel_pairs_of_an_8_channel_stream_sample_exact(master, tmp_path, in_frame, out_frame):
    """Channels 3-4 and 7-8 of an 8-channel PCM stream: two stereo streams whose bytes
    are those channels' samples in the master; the other six channels are absent."""
    src = master("prores")
    info = probe(src)
    assert info.audio[0].channels == 8
    stream = info.audio[0].index
    dest = tmp_path / "c.mov"
    picks = [AudioPick(stream, (2, 3)), AudioPick(stream, (6, 7))]
    report = cut.cut(src, in_frame, out_frame, dest, audio=picks)
    streams = audio_streams(dest)
    assert [s["channels"] for s in streams] == [2, 2]
    assert [a.source_channels for a in report.audio] == [[2, 3], [6, 7]]
    whole = span(raw(src, 0), 8, in_frame, out_frame)
    for k, wanted in enumerate(((2, 3), (6, 7))):
        assert raw(dest, k) == channels_of(whole, 8, wanted)
    assert count_frames(dest) == out_frame - in_frame


def test_every_channel_of_a_stream_is_the_stream_itself(master, tmp_path):
    src = master("prores")
    stream = probe(src).audio[0].index
    dest = tmp_path / "c.mov"
    report = cut.cut(src, 5, 20, dest, audio=[AudioPick(stream, tuple(range(8)))])
    assert report.audio[0].source_channels is None
    assert [s["channels"] for s in audio_streams(dest)] == [8]
    assert raw(dest, 0) == span(raw(src, 0), 8, 5, 20)


def test_channel_pair_of_a_4_channel_stream_in_mxf(master, tmp_path):
    src = master("mpeg2_mxf")
    stream = probe(src).audio[0].index
    dest = tmp_path / "c.mxf"
    cut.cut(src, 5, 40, dest, audio=[AudioPick(stream, (2, 3))])
    assert [s["channels"] for s in audio_streams(dest)] == [2]
    whole = span(raw(src, 0), 4, 5, 40)
    assert raw(dest, 0) == channels_of(whole, 4, (2, 3))


@pytest.mark.parametrize(
    ("kind", "picks", "why"),
    [
        ("two_stereo", [AudioPick(9)], "no audio stream 9"),
        ("two_stereo", [AudioPick(1), AudioPick(1)], "picked twice"),
        ("prores", [AudioPick(1, (7, 8))], "has 8 channels"),
        ("prores", [AudioPick(1, ())], "has 8 channels"),
        ("h264_closed", [AudioPick(1, (0,))], "cannot be picked"),  # AAC: no split
    ],
)
def test_impossible_choices_are_refused_before_any_file(master, tmp_path, kind, picks, why):
    dest = tmp_path / "c.mov"
    with pytest.raises(ValueError, match=why):
        cut.cut(master(kind), 0, 10, dest, audio=picks)
    assert list(tmp_path.iterdir()) == []
