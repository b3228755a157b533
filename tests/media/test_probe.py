"""probe(): values checked against Debian's ffprobe for every kind of test master."""

from __future__ import annotations

import json
import subprocess
from fractions import Fraction
from pathlib import Path

import pytest

from app.media.errors import MediaError
from app.media.info import MediaInfo, summary
from app.media.probe import probe
from tests.mediagen import FFMPEG, FFPROBE, KINDS, VIDEO_KINDS, ffprobe_json, master, media_dir  # noqa: F401 - pytest fixtures

pytestmark = pytest.mark.media


def _ffmpeg(*args: str) -> None:
    subprocess.run([FFMPEG, "-nostdin", "-v", "error", "-y", *args], check=True, timeout=120)


@pytest.fixture(scope="session")
def extra(media_dir):  # noqa: F811
    """Masters this suite needs that tests/mediagen.py does not make."""
    folder = Path(media_dir) / "probe-extra"
    folder.mkdir(exist_ok=True)

    def _get(kind: str) -> Path:
        path = (
            folder
            / {
                "bff_ts": "bff.ts",
                "audio_only": "audio_only.m4a",
                "truncated": "truncated.mp4",
                "corrupt_video": "corrupt_video.mov",
                "empty": "empty.mp4",
            }[kind]
        )
        if path.exists():
            return path
        if kind == "bff_ts":  # 576i25 bottom field first, no audio
            _ffmpeg(
                "-f", "lavfi", "-i", "testsrc2=size=720x576:rate=25:duration=1,setfield=bff",
                "-c:v", "mpeg2video", "-flags", "+ilme+ildct", "-top", "0", "-g", "12",
                "-b:v", "4M", str(path),
            )  # fmt: skip
        elif kind == "audio_only":
            _ffmpeg("-f", "lavfi", "-i", "sine=d=1", "-c:a", "aac", str(path))
        elif kind == "truncated":  # first 40 % of an MP4 whose moov is at the end
            src = folder / "whole.mp4"
            _ffmpeg(
                "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=2",
                "-c:v", "libx264", "-preset", "ultrafast", str(src),
            )  # fmt: skip
            data = src.read_bytes()
            path.write_bytes(data[: int(len(data) * 0.4)])
        elif kind == "corrupt_video":  # sound headers, every ProRes frame zeroed
            src = folder / "good.mov"
            _ffmpeg(
                "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=1",
                "-c:v", "prores_ks", str(src),
            )  # fmt: skip
            data = bytearray(src.read_bytes())
            at = data.find(b"mdat")
            end = data.find(b"moov")
            data[at + 4 : end - 4] = bytes(end - 4 - at - 4)
            path.write_bytes(bytes(data))
        elif kind == "empty":
            path.write_bytes(b"")
        return path

    return _get


def _rate(text: str) -> Fraction:
    num, _, den = text.partition("/")
    return Fraction(int(num), int(den or 1))


def _first_frame_flags(path: Path) -> tuple[bool, bool]:
    out = subprocess.run(
        [FFPROBE, "-v", "error", "-select_streams", "v:0", "-read_intervals", "%+#1",
         "-show_entries", "frame=interlaced_frame,top_field_first", "-of", "json", str(path)],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout  # fmt: skip
    frame = json.loads(out)["frames"][0]
    return bool(frame["interlaced_frame"]), bool(frame["top_field_first"])


def _packet_count(path: Path) -> int:
    data = ffprobe_json(path, "-count_packets", "-select_streams", "v:0")
    return int(data["streams"][0]["nb_read_packets"])


def _check_against_ffprobe(path: Path, info: MediaInfo, expected_tc: str | None) -> None:
    data = ffprobe_json(path)
    video = next(s for s in data["streams"] if s["codec_type"] == "video")
    fmt = data["format"]
    assert info.container == fmt["format_name"]
    assert info.size == int(fmt["size"])
    assert info.video_codec == video["codec_name"]
    assert info.video_profile == video.get("profile")
    assert (info.width, info.height) == (video["width"], video["height"])
    assert info.pixel_format == video["pix_fmt"]
    assert info.frame_rate == _rate(video["avg_frame_rate"])
    rate = info.frame_rate
    # frame count: the container's, else counted packets (one frame per packet here)
    expected_frames = int(video["nb_frames"]) if video.get("nb_frames") else _packet_count(path)
    assert info.frame_count == expected_frames
    assert info.duration_frames == expected_frames
    duration = float(video.get("duration") or fmt["duration"])
    assert abs(info.duration - duration) <= 1 / rate
    assert abs(info.frame_count - duration * rate) <= 1
    interlaced, tff = _first_frame_flags(path)
    assert info.scan_type == ("interlaced" if interlaced else "progressive")
    assert info.field_order == (("tff" if tff else "bff") if interlaced else None)
    audio = [s for s in data["streams"] if s["codec_type"] == "audio"]
    assert len(info.audio) == len(audio)
    for mine, theirs in zip(info.audio, audio, strict=True):
        assert mine.codec == theirs["codec_name"]
        assert mine.channels == theirs["channels"]
        assert mine.sample_rate == int(theirs["sample_rate"])
        if theirs.get("channel_layout") not in (None, "unknown"):
            assert mine.channel_layout == theirs["channel_layout"]
    tags_tc = fmt.get("tags", {}).get("timecode") or next(
        (s["tags"]["timecode"] for s in data["streams"] if s.get("tags", {}).get("timecode")),
        None,
    )
    assert info.start_timecode == (tags_tc or expected_tc)


@pytest.mark.parametrize("kind", VIDEO_KINDS)
def test_probe_matches_ffprobe(master, kind):  # noqa: F811
    path = master(kind)
    info = probe(path)
    _check_against_ffprobe(path, info, KINDS[kind].get("timecode"))
    assert info.gop == ("intra-only" if KINDS[kind]["intra"] else "long-GOP")
    # JSON round trip
    again = MediaInfo.from_dict(json.loads(json.dumps(info.to_dict())))
    assert again == info


def test_probe_bff_no_audio(extra):
    path = extra("bff_ts")
    info = probe(path)
    _check_against_ffprobe(path, info, "00:00:00:00")
    assert info.scan_type == "interlaced" and info.field_order == "bff"
    assert info.audio == []
    assert summary(info) == "MPEG-2 Main 720\u00d7576i50"


def test_friendly_names_and_summary(master):  # noqa: F811
    prores = probe(master("prores"))
    assert prores.video_format == "ProRes 422 HQ"
    assert prores.bit_depth == 10 and prores.chroma_subsampling == "4:2:2"
    assert prores.container_name == "QuickTime / MOV"
    assert summary(prores) == "ProRes 422 HQ 384\u00d7216p25"
    assert prores.audio[0].channels == 8 and prores.audio[0].bit_depth == 24
    h264 = probe(master("h264_2997df"))
    assert h264.video_format == "H.264 High"
    assert (h264.frame_rate_num, h264.frame_rate_den) == (30000, 1001)
    assert h264.start_timecode == "10:00:00;00"
    assert summary(h264) == "H.264 High 384\u00d7216p29.97"
    assert h264.gop == "long-GOP" and h264.gop_length == 30
    mxf = probe(master("mpeg2_mxf"))
    assert mxf.container_name == "MXF" and mxf.timecode_source == "container"
    assert mxf.frame_count_source == "computed"
    assert probe(master("dnxhr")).video_format == "DNxHR SQ"


def test_interlaced_summary_uses_field_rate(master):  # noqa: F811
    info = probe(master("h264_interlaced"))
    assert info.interlaced
    assert summary(info).endswith("1920\u00d71080i50")


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("not_video", "The file could not be read as a media file: "),
        ("audio_only", "The file contains no video stream."),
        ("truncated", "The file could not be read as a media file: "),
        ("corrupt_video", "The video stream could not be decoded: "),
        ("empty", "The file could not be read as a media file: "),
    ],
)
def test_refusals(master, extra, kind, message):  # noqa: F811
    path = master(kind) if kind == "not_video" else extra(kind)
    with pytest.raises(MediaError) as caught:
        probe(path)
    text = str(caught.value)
    assert text.startswith(message)
    assert text.endswith(".") and str(path) not in text
    assert caught.value.reason == text


def test_missing_file(tmp_path):
    with pytest.raises(MediaError, match="could not be found"):
        probe(tmp_path / "nope.mov")
