"""Smart cut of a spliced MPEG-TS master: re-encoded audio follows the timestamps.

Broadcast MPEG-TS is often spliced by stream copy, and at each splice the audio packets
leave a gap or overlap the previous segment's.  The master here is three 2-second
segments, byte-concatenated (what ``concat:`` reads), with continuous video and, in the
audio, an 80 ms gap at the first splice and a 160 ms overlap at the second.  Each
segment holds a 40 ms tone burst at a known instant.  In a clip, every burst must sit
where it sits in the master (from the first video picture, minus the in instant) within
one audio frame, and the audio must be continuous and as long as the video.

The judge is Debian's FFmpeg: ffprobe gives each decoded audio frame's timestamp and
sample count, ffmpeg the samples; a sample's instant is its frame's timestamp plus its
offset in the frame, so gaps and overlaps in the master are measured, not assumed.
"""

from __future__ import annotations

import array
import json
import os
import subprocess
from pathlib import Path

import pytest

from app.media import cut
from tests import mediagen
from tests.mediagen import FFMPEG, FFPROBE

pytestmark = pytest.mark.media

media_dir = mediagen.media_dir
master = mediagen.master

RATE = 48000
FPS = 25
#: per segment: audio length (s) and burst instant (s from the segment's start)
SEGMENTS = [(1.9, 1.2), (2.15, 0.8), (2.0, 1.2)]
#: the burst of each segment falls on this master frame
BURST_FRAMES = [30, 70, 130]
FRAME_SAMPLES = {"mp2": 1152, "ac3": 1536, "aac": 1024}


def _segment_cmd(k: int, codec: str, dest: Path) -> list[str]:
    seconds, burst = SEGMENTS[k]
    tone = f"if(between(t\\,{burst}\\,{burst + 0.04})\\,0.8*sin(2*PI*2000*t)\\,0)"
    exprs = "|".join(f"0.05*sin(2*PI*{f}*t)+{tone}" for f in (440, 660))
    return [
        FFMPEG, "-nostdin", "-v", "error", "-y",
        *mediagen._video("384x216", "25", 2),
        "-f", "lavfi", "-i", f"aevalsrc={exprs}:s={RATE}:d={seconds}",
        "-map", "0:v", "-map", "1:a",
        "-c:v", "libx264", "-profile:v", "high", "-pix_fmt", "yuv420p",
        "-preset", "fast", "-crf", "18",
        "-x264-params", mediagen._X264_CLOSED,
        "-c:a", codec, "-b:a", "192k",
        # one clock for all segments (>0 so that no segment gets shifted on its own)
        "-output_ts_offset", str(10 + 2 * k),
        "-f", "mpegts", str(dest),
    ]  # fmt: skip


def make_spliced(codec: str, directory: Path) -> Path:
    """The spliced master with ``codec`` audio, generated once per directory."""
    dest = Path(directory) / f"spliced_{codec}.ts"
    with mediagen._LOCK:
        if dest.exists():
            return dest
        tmp = dest.with_name(f".{dest.stem}.{os.getpid()}.partial.ts")
        parts = [dest.with_name(f".{dest.stem}.{os.getpid()}.seg{k}.ts") for k in range(3)]
        try:
            for k, part in enumerate(parts):
                mediagen._run(_segment_cmd(k, codec, part))
            tmp.write_bytes(b"".join(p.read_bytes() for p in parts))
            os.replace(tmp, dest)
        finally:
            for p in [tmp, *parts]:
                p.unlink(missing_ok=True)
    return dest


def _probe(path: Path, *args: str) -> dict:
    out = subprocess.run([FFPROBE, "-v", "error", "-of", "json", *args, str(path)],
                         capture_output=True, text=True, timeout=120, check=True)  # fmt: skip
    return json.loads(out.stdout)


def audio_packets(path: Path) -> list[tuple[int, int]]:
    """(pts, duration) of the first audio stream's packets, in file order."""
    info = _probe(path, "-select_streams", "a:0", "-show_entries", "packet=pts,duration")
    return [(int(p["pts"]), int(p["duration"])) for p in info["packets"]]


def video_start(path: Path) -> float:
    info = _probe(path, "-select_streams", "v:0", "-show_entries", "stream=start_time")
    return float(info["streams"][0]["start_time"])


def timed_samples(path: Path) -> tuple[array.array, list[tuple[float, int, int]]]:
    """Left-channel samples, decoded, and each audio frame's (instant, first, count)."""
    info = _probe(path, "-select_streams", "a:0", "-show_entries", "frame=pts_time,nb_samples")
    frames, first = [], 0
    for f in info["frames"]:
        frames.append((float(f["pts_time"]), first, int(f["nb_samples"])))
        first += int(f["nb_samples"])
    out = subprocess.run(
        [FFMPEG, "-nostdin", "-v", "error", "-i", str(path), "-map", "0:a:0"]
        + ["-f", "f32le", "-"],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    samples = array.array("f", out.stdout)[::2]
    assert len(samples) == first  # the decoder output every frame as probed
    return samples, frames


def burst_instants(path: Path) -> list[float]:
    """Where each tone burst starts, in seconds from the first video picture."""
    samples, frames = timed_samples(path)
    origin = video_start(path)
    found, last = [], None
    for t, first, count in frames:
        for i in range(first, first + count):
            if abs(samples[i]) > 0.4:
                at = t + (i - first) / RATE - origin
                if last is None or at - last > 0.2:
                    found.append(at)
                last = at
    return found


@pytest.fixture(scope="module", params=["mp2", "ac3", "aac"])
def spliced(request, master, media_dir):
    master("h264_closed")  # skips without Debian's ffmpeg
    return request.param, make_spliced(request.param, media_dir)


def test_master_really_has_gap_and_overlap(spliced):
    codec, src = spliced
    packets = audio_packets(src)
    jumps = [b - (a + d) for (a, d), (b, _) in zip(packets, packets[1:], strict=False)]
    jumps = [j for j in jumps if abs(j) > 90]  # over 1 ms (90 kHz clock)
    assert len(jumps) == 2
    assert jumps[0] > 0.05 * 90000  # a gap at the first splice
    assert jumps[1] < -0.1 * 90000  # an overlap at the second
    assert burst_instants(src) == pytest.approx([f / FPS for f in BURST_FRAMES], abs=0.03)


@pytest.mark.parametrize(("in_frame", "out_frame"), [(7, 143), (37, 112), (62, 137), (48, 80)])
def test_reencoded_audio_stays_in_sync_across_splices(spliced, tmp_path, in_frame, out_frame):
    codec, src = spliced
    dest = tmp_path / "clip.ts"
    report = cut.cut(src, in_frame, out_frame, dest)
    assert report.audio[0].handling == "reencode"
    frame = FRAME_SAMPLES[codec] / RATE

    err = subprocess.run([FFMPEG, "-nostdin", "-v", "error", "-i", str(dest), "-f", "null", "-"],
                         capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert err.stderr.strip() == ""

    # every burst of the master inside the clip, where the video says it is
    wanted = [t - in_frame / FPS for t in burst_instants(src)]
    wanted = [t for t in wanted if 0 <= t < (out_frame - in_frame) / FPS - 0.04]
    got = burst_instants(dest)
    assert len(got) == len(wanted)
    for g, w in zip(got, wanted, strict=True):
        assert abs(g - w) <= frame, f"burst at {g:.3f} s, expected {w:.3f} s"

    # continuous audio, spanning the video within one audio frame at either end (AAC
    # in MPEG-TS decodes its encoder's priming frame and its last frame whole)
    packets = audio_packets(dest)
    assert all(b == a + d for (a, d), (b, _) in zip(packets, packets[1:], strict=False))
    _, frames = timed_samples(dest)
    origin = video_start(dest)
    start = frames[0][0] - origin
    end = frames[-1][0] + frames[-1][2] / RATE - origin
    assert abs(start) <= frame + 1e-6
    assert abs(end - (out_frame - in_frame) / FPS) <= frame + 1e-6
    assert report.audio[0].samples == round((out_frame - in_frame) / FPS * RATE)
