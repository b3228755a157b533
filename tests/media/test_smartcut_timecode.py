"""One start timecode: the one the probe reads is the one the cut stamps in the clip.

The master here carries two timecodes: ``11:00:00:00`` in the container's tags and
``10:00:00:00`` on its video stream (its ``tmcd`` track).  ``app.media.source`` reads
them in one order (container first, as ffprobe lists them); the probe stores what it
finds, and the clip's timecode counts from that: from the value the caller passes
(the stored probe result), or, given none, from what ``source`` reads itself.
"""

from __future__ import annotations

import subprocess

import pytest

from app.media import cut
from app.media.probe import probe
from app.media.timecode import index_to_tc
from tests import mediagen
from tests.mediagen import FFMPEG, ffprobe_json

pytestmark = pytest.mark.media

media_dir = mediagen.media_dir
master = mediagen.master

CONTAINER_TC = "11:00:00:00"
STREAM_TC = "10:00:00:00"


def _run(cmd: list[str]) -> None:
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr


@pytest.fixture(scope="module")
def two_timecodes(tmp_path_factory) -> str:
    if not mediagen.ffmpeg_available():
        pytest.skip("Debian ffmpeg (/usr/bin/ffmpeg) is needed to generate test masters")
    directory = tmp_path_factory.mktemp("two_timecodes")
    tmcd, src = directory / "tmcd.mov", directory / "two_timecodes.mov"
    _run([FFMPEG, "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
          "testsrc2=size=320x180:rate=25:duration=2", "-c:v", "libx264", "-preset",
          "ultrafast", "-g", "25", "-bf", "2", "-timecode", STREAM_TC, str(tmcd)])  # fmt: skip
    # a remux keeps the tmcd track and adds a container tag (MOV "keys" metadata)
    _run([FFMPEG, "-nostdin", "-v", "error", "-y", "-i", str(tmcd), "-map", "0", "-c", "copy",
          "-write_tmcd", "0", "-movflags", "use_metadata_tags", "-metadata",
          f"timecode={CONTAINER_TC}", str(src)])  # fmt: skip
    info = ffprobe_json(src)
    assert info["format"]["tags"]["timecode"] == CONTAINER_TC
    assert info["streams"][0]["tags"]["timecode"] == STREAM_TC
    return str(src)


def _clip_timecode(path) -> str | None:
    """The clip's timecode as ffprobe shows it: the video stream's (its tmcd track)."""
    info = ffprobe_json(path)
    video = [s for s in info["streams"] if s["codec_type"] == "video"][0]
    return video.get("tags", {}).get("timecode") or info["format"].get("tags", {}).get("timecode")


def test_the_probe_and_the_cut_read_the_same_start_timecode(two_timecodes, tmp_path):
    stored = probe(two_timecodes).start_timecode
    assert stored == CONTAINER_TC
    dest = tmp_path / "clip.mov"
    report = cut.cut(two_timecodes, 7, 40, dest)  # no timecode given: read by source
    expected = index_to_tc(7, stored, 25)
    assert expected == "11:00:00:07"
    assert report.start_timecode == expected
    assert _clip_timecode(dest) == expected


def test_a_given_start_timecode_is_stamped_on_the_clip(two_timecodes, tmp_path):
    dest = tmp_path / "clip.mov"
    report = cut.cut(two_timecodes, 7, 40, dest, start_timecode="10:00:00:00")
    assert report.start_timecode == "10:00:00:07"
    assert _clip_timecode(dest) == "10:00:00:07"


def test_a_given_start_timecode_goes_into_mpeg2_gop_headers(master, tmp_path):
    """MPEG-TS has no timecode tag: the re-encoded and the first copied GOP headers
    count from the given start timecode."""
    src = master("mpeg2_ts")  # its GOP headers say 10:00:00:00
    dest = tmp_path / "clip.ts"
    report = cut.cut(src, 5, 40, dest, start_timecode="01:00:00:00")
    assert report.start_timecode == "01:00:00:05"
    assert report.copied_range is not None
    data = subprocess.run(
        [FFMPEG, "-v", "error", "-i", str(dest), "-map", "0:v", "-c", "copy"]
        + ["-f", "mpeg2video", "-"],
        capture_output=True,
        timeout=120,
        check=True,
    ).stdout
    at = data.find(b"\x00\x00\x01\xb8")
    v = int.from_bytes(data[at + 4 : at + 8], "big")
    first = f"{v >> 26 & 31:02d}:{v >> 20 & 63:02d}:{v >> 13 & 63:02d}:{v >> 7 & 63:02d}"
    assert first == "01:00:00:05"
