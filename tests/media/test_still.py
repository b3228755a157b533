"""app/media/still.py: the still of an exact master frame, judged by Debian's ffmpeg.

The reference is ffmpeg's own decode of frame N (``select=eq(n\\,N)``) converted to RGB
with the same libswscale settings (matrix, range, chroma interpolation) and, for
interlaced masters, the same deinterlacer: the still must match it (PSNR >= 45 dB),
and must not match its neighbour.
"""

import math
import subprocess

import av
import pytest

from app.media.errors import MediaError
from app.media.still import DEINTERLACE_ARGS, SCALE_FLAGS, grab_still
from tests.mediagen import FFMPEG, master, media_dir  # noqa: F401  (fixtures)


def reference(path, n, matrix, size=None, deinterlace=False):
    scale = f"scale={size or 'iw:ih'}:flags={SCALE_FLAGS}:in_color_matrix={matrix}"
    scale += ":in_range=tv:out_range=pc"
    chain = ([f"bwdif={DEINTERLACE_ARGS}"] if deinterlace else []) + [
        f"select=eq(n\\,{n})",
        scale,
    ]
    out = subprocess.run(
        [FFMPEG, "-v", "error", "-i", str(path), "-vf", ",".join(chain), "-frames:v", "1"]
        + ["-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True,
        check=True,
        timeout=120,
    )
    return out.stdout


def decoded_rgb(path):
    """(rgb24 bytes, width, height) of an image file, decoded with PyAV."""
    with av.open(str(path)) as container:
        frame = next(container.decode(video=0)).reformat(format="rgb24")
    plane = frame.planes[0]
    data, row = bytes(plane), frame.width * 3
    rows = (data[y * plane.line_size : y * plane.line_size + row] for y in range(frame.height))
    return b"".join(rows), frame.width, frame.height


def psnr(a, b):
    assert len(a) == len(b)
    squared = sum((x - y) * (x - y) for x, y in zip(a, b, strict=True))
    return math.inf if squared == 0 else 10 * math.log10(255 * 255 * len(a) / squared)


def test_a_frame_in_the_middle_of_a_gop_is_the_master_frame(master, tmp_path):  # noqa: F811
    path = master("h264_closed")  # GOP 25, B-frames, untagged 384x216: BT.601
    report = grab_still(path, 37, tmp_path / "s.png")
    still, width, height = decoded_rgb(tmp_path / "s.png")
    assert (width, height) == (384, 216)
    assert psnr(still, reference(path, 37, "bt601")) >= 45
    assert psnr(still, reference(path, 36, "bt601")) < 40  # not its neighbour
    assert report.keyframe_index == 25  # decoded from the keyframe before it only
    assert report.decoded_frames <= 13 + 4
    assert (report.colour_matrix, report.colour_matrix_from) == ("bt601", "height")
    assert not report.interlaced and report.deinterlacer is None
    assert [p.name for p in tmp_path.iterdir()] == ["s.png"]  # no temporary file left


def test_a_keyframe_and_the_last_frame(master, tmp_path):  # noqa: F811
    path = master("h264_open")  # open GOP 25: leading B frames after each I
    for n in (25, 74):
        grab_still(path, n, tmp_path / f"{n}.png")
        still, _w, _h = decoded_rgb(tmp_path / f"{n}.png")
        assert psnr(still, reference(path, n, "bt601")) >= 45, n


def test_beyond_the_last_frame_is_an_error(master, tmp_path):  # noqa: F811
    with pytest.raises(MediaError) as caught:
        grab_still(master("h264_closed"), 75, tmp_path / "s.png")
    assert caught.value.code == "frame_not_found"
    assert not (tmp_path / "s.png").exists()


def test_an_interlaced_master_is_deinterlaced_like_ffmpeg_bwdif(master, tmp_path):  # noqa: F811
    path = master("h264_interlaced")  # 1920x1080i25 tff, GOP 12, untagged HD: BT.709
    report = grab_still(path, 17, tmp_path / "i.png")
    assert report.interlaced and report.deinterlacer == "bwdif"
    assert report.colour_matrix == "bt709"
    still, width, height = decoded_rgb(tmp_path / "i.png")
    assert (width, height) == (1920, 1080)
    assert psnr(still, reference(path, 17, "bt709", deinterlace=True)) >= 45


@pytest.fixture(scope="module")
def anamorphic(tmp_path_factory):
    """720x576 SAR 64:45 (16:9 PAL), H.264 GOP 10, BT.601 tagged, 1 s."""
    path = tmp_path_factory.mktemp("anamorphic") / "pal169.mp4"
    subprocess.run(
        [FFMPEG, "-nostdin", "-v", "error", "-y", "-f", "lavfi"]
        + ["-i", "testsrc2=size=720x576:rate=25:duration=1,noise=alls=6:allf=t,setsar=64/45"]
        + ["-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p"]
        + ["-x264-params", "keyint=10:min-keyint=10:scenecut=0:bframes=2"]
        + ["-colorspace", "smpte170m", "-color_primaries", "bt470bg", "-color_trc", "bt709"]
        + [str(path)],
        check=True,
        timeout=120,
    )
    return path


def test_an_anamorphic_sd_master_gives_square_pixels(anamorphic, tmp_path):
    report = grab_still(anamorphic, 13, tmp_path / "a.png")
    assert (report.width, report.height) == (1024, 576)
    assert report.sample_aspect_ratio == "64:45"
    assert (report.colour_matrix, report.colour_matrix_from) == ("bt601", "stream")
    still, width, height = decoded_rgb(tmp_path / "a.png")
    assert (width, height) == (1024, 576)
    assert psnr(still, reference(anamorphic, 13, "bt601", size="1024:576")) >= 45


def test_a_jpeg_at_quality_95(master, tmp_path):  # noqa: F811
    path = master("h264_closed")
    grab_still(path, 37, tmp_path / "s.png")
    report = grab_still(path, 37, tmp_path / "s.jpg", fmt="jpeg")
    assert report.fmt == "jpeg"
    data = (tmp_path / "s.jpg").read_bytes()
    assert data[:2] == b"\xff\xd8"
    dqt = data.index(b"\xff\xdb")
    luma = data[dqt + 5 : dqt + 5 + 64]  # zigzag order, DC first
    assert max(luma[1:]) <= 10  # as fine as libjpeg's quality 95 (2..10 there too)
    with av.open(str(tmp_path / "s.jpg")) as container:
        frame = next(container.decode(video=0))
    assert frame.format.name in ("yuvj444p", "yuv444p")  # no chroma subsampling
    jpeg, width, height = decoded_rgb(tmp_path / "s.jpg")
    png, _w, _h = decoded_rgb(tmp_path / "s.png")
    assert (width, height) == (384, 216)
    assert psnr(jpeg, png) >= 35


def test_an_unknown_format_is_refused(master, tmp_path):  # noqa: F811
    with pytest.raises(ValueError):
        grab_still(master("h264_closed"), 0, tmp_path / "s.gif", fmt="gif")


@pytest.mark.parametrize(
    "kind, matrix",
    [
        ("mpeg2_ts", "bt601"),  # open GOPs, MPEG-TS timestamps that do not start at 0
        ("mpeg2_mxf", "bt601"),
        ("hevc", "bt601"),
        ("h264_2997df", "bt601"),
        ("prores", "bt601"),  # 10-bit: a 16-bit PNG
    ],
)
def test_other_masters_give_their_exact_frame(master, tmp_path, kind, matrix):  # noqa: F811
    path = master(kind)
    report = grab_still(path, 31, tmp_path / "s.png")
    still, _w, _h = decoded_rgb(tmp_path / "s.png")
    assert psnr(still, reference(path, 31, matrix)) >= 45, report
