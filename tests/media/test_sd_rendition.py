"""The broadcast SD rung (576i25, H.264 fields top first, 720 x 576 anamorphic), judged
by Debian's ffprobe and by the pictures themselves: which master gives which fields."""

from __future__ import annotations

import subprocess
from pathlib import Path

import av
import pytest

from app.media.renditions import RenditionSpec, make_renditions
from tests.mediagen import FFMPEG, ffprobe_json

pytestmark = pytest.mark.media

FAST = {"preset": "ultrafast", "audio_bitrate": 64_000, "crf": 12}
SD = RenditionSpec(
    name="sd", max_height=576, width=720, interlaced=True, frame_rate=25,
    keyframe_interval=0.48, **FAST,
)  # fmt: skip
PROXY = RenditionSpec(name="proxy", max_height=540, always=True, **FAST)


def _make(path: Path, source: str, *extra: str) -> Path:
    subprocess.run(
        [FFMPEG, "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", source, *extra,
         "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-pix_fmt", "yuv420p", str(path)],
        check=True, timeout=120,
    )  # fmt: skip
    return path


def _fields(path: Path) -> list[tuple[float, float]]:
    """(mean luma of the top field, of the bottom field) of each frame."""
    with av.open(str(path)) as container:
        return [_field_means(frame) for frame in container.decode(video=0)]


def _field_means(frame) -> tuple[float, float]:
    plane = frame.planes[0]  # luma, `line_size` bytes a row
    data, stride = bytes(plane), plane.line_size
    rows = [data[y * stride : y * stride + frame.width] for y in range(frame.height)]
    means = [sum(row) / len(row) for row in rows]
    return sum(means[0::2]) / len(means[0::2]), sum(means[1::2]) / len(means[1::2])


def _stream(path: Path) -> dict:
    return [s for s in ffprobe_json(path)["streams"] if s["codec_type"] == "video"][0]


def test_a_50p_master_gives_each_field_its_own_picture(tmp_path):
    # Each 50p picture is one grey level: frame k's fields must be pictures 2k and 2k+1.
    src = _make(tmp_path / "p50.mp4", "nullsrc=s=1280x720:r=50:d=1,geq=lum='40+N*3':cb=128:cr=128")
    report = make_renditions(src, [PROXY, SD], dest_dir=tmp_path / "out")
    assert [r.name for r in report] == ["proxy", "sd"]
    sd = report[1]
    assert (sd.width, sd.height, sd.frame_rate) == (720, 576, "25")
    video = _stream(Path(sd.path))
    assert (video["codec_name"], video["field_order"]) == ("h264", "tt")
    assert (video["sample_aspect_ratio"], video["display_aspect_ratio"]) == ("64:45", "16:9")
    assert video["r_frame_rate"] == "25/1" and int(video["nb_frames"]) == 25
    fields = _fields(Path(sd.path))
    for k, (top, bottom) in enumerate(fields):
        assert top == pytest.approx(40 + 6 * k, abs=1.5), k
        assert bottom == pytest.approx(43 + 6 * k, abs=1.5), k
    # the progressive rungs keep the master's 50 pictures a second
    assert report[0].frame_rate == "50" and int(_stream(Path(report[0].path))["nb_frames"]) == 50


def test_an_interlaced_master_keeps_its_fields_apart(tmp_path):
    # 1080i25 whose top field is light and bottom field dark: scaled field by field,
    # the SD fields stay light and dark (a frame scale would blend them to grey).
    src = _make(
        tmp_path / "i25.mp4",
        "nullsrc=s=1920x1080:r=25:d=1,geq=lum='if(mod(Y,2),50,200)':cb=128:cr=128,setfield=tff",
        "-flags", "+ilme+ildct", "-x264-params", "tff=1",
    )  # fmt: skip
    sd = make_renditions(src, [SD], dest_dir=tmp_path / "out")[0]
    video = _stream(Path(sd.path))
    assert video["field_order"] == "tt" and int(video["nb_frames"]) == 25
    for top, bottom in _fields(Path(sd.path)):
        assert top == pytest.approx(200, abs=4) and bottom == pytest.approx(50, abs=4)


def test_sd_is_offered_only_where_the_master_allows(tmp_path):
    ntsc = _make(tmp_path / "p2997.mp4", "testsrc2=s=1920x1080:r=30000/1001:d=0.4")
    report = make_renditions(ntsc, [PROXY, SD], dest_dir=tmp_path / "a")
    assert [r.name for r in report] == ["proxy"]
    assert "frame-rate conversion" in report.skipped[0].reason
    small = _make(tmp_path / "576.mp4", "testsrc2=s=720x576:r=25:d=0.4")
    report = make_renditions(small, [PROXY, SD], dest_dir=tmp_path / "b")
    assert [r.name for r in report] == ["proxy"]
    assert "would not be smaller" in report.skipped[0].reason


def test_a_4_3_master_keeps_its_shape(tmp_path):
    src = _make(tmp_path / "43.mp4", "testsrc2=s=1440x1080:r=25:d=0.4")
    sd = make_renditions(src, [SD], dest_dir=tmp_path / "out")[0]
    video = _stream(Path(sd.path))
    assert (video["sample_aspect_ratio"], video["display_aspect_ratio"]) == ("16:15", "4:3")
