"""Frame-accurate smart cut (app.media.cut) on real masters, judged by FFmpeg.

Independent judges: Debian's ffprobe counts the frames (``-count_frames``), ffmpeg's
``framemd5`` hashes decoded pictures (copied frames must be bit-identical to the
master's), its ``psnr`` filter measures re-encoded frames (>= 40 dB), ``ffmpeg -v error
-i clip -f null -`` must print nothing, PCM audio is compared byte for byte.
"""

from __future__ import annotations

import array
import functools
import os
import random
import subprocess
from fractions import Fraction
from pathlib import Path

import av
import pytest

from app.media import cut
from app.media.cut import mux
from app.media.cut.bitstream import nal
from app.media.errors import MediaError
from app.media.timecode import index_to_tc
from tests import mediagen
from tests.media.cutjudge import timestamp_problems
from tests.mediagen import FFMPEG, FFPROBE, KINDS, ffprobe_json

pytestmark = pytest.mark.media

# the shared session fixtures of tests/mediagen.py (masters generated once per session)
media_dir = mediagen.media_dir
master = mediagen.master

#: kind -> (frame count, GOP length, frame rate)
MASTERS = {
    "h264_closed": (75, 25, Fraction(25)),
    "h264_open": (75, 25, Fraction(25)),
    "h264_interlaced": (40, 12, Fraction(25)),
    "h264_2997df": (90, 30, Fraction(30000, 1001)),
    "hevc": (75, 25, Fraction(25)),
    "mpeg2_mxf": (75, 12, Fraction(25)),
    "mpeg2_xdcam": (50, 12, Fraction(25)),
    "mpeg2_ts": (75, 12, Fraction(25)),
    "prores": (50, 1, Fraction(25)),
    "dnxhr": (50, 1, Fraction(25)),
}

PCM_RAW = {"pcm_s16le": "s16le", "pcm_s24le": "s24le"}


def _pairs(kind: str) -> list[tuple[str, int, int]]:
    n, g, _ = MASTERS[kind]
    if g == 1:  # intra-only
        g = 10
    rng = random.Random(f"smartcut-{kind}")
    a = rng.randrange(0, n - 1)
    b = rng.randrange(a + 1, n + 1)
    pairs = [
        ("on_keyframes", g, 2 * g),
        ("after_and_before_keyframe", 1, min(n, 3 * g) - 1),
        ("before_and_after_keyframe", g - 1, 2 * g + 1),
        ("first_frame", 0, 1),
        ("last_frame", n - 1, n),
        ("one_frame_mid_gop", g + 3, g + 4),
        ("whole_file", 0, n),
        ("random", a, b),
    ]
    if kind in ("h264_interlaced", "mpeg2_xdcam"):  # 1080i: keep the suite quick
        keep = {"after_and_before_keyframe", "last_frame", "random"}
        pairs = [p for p in pairs if p[0] in keep]
    return pairs


CASES = [
    pytest.param(kind, label, a, b, id=f"{kind}-{label}-{a}-{b}")
    for kind in MASTERS
    for (label, a, b) in _pairs(kind)
]


# ---------------------------------------------------------------- judges


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, timeout=300, check=False, **kw)


def count_frames(path: Path) -> int:
    out = _run(
        [FFPROBE, "-v", "error", "-count_frames", "-select_streams", "v:0"]
        + ["-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", str(path)],
        text=True,
    )
    return int(out.stdout.strip().split(",")[0])


def decode_errors(path: Path) -> str:
    out = _run([FFMPEG, "-nostdin", "-v", "error", "-i", str(path), "-f", "null", "-"], text=True)
    return out.stderr.strip()


@functools.lru_cache(maxsize=64)
def frame_md5s(path: str) -> tuple[str, ...]:
    out = _run(
        [FFMPEG, "-nostdin", "-v", "error", "-i", path, "-map", "0:v:0", "-f", "framemd5", "-"],
        text=True,
    )
    assert out.returncode == 0, out.stderr
    return tuple(
        line.rsplit(",", 1)[1].strip()
        for line in out.stdout.splitlines()
        if line and not line.startswith("#")
    )


def psnr_per_frame(clip: Path, src: Path, in_frame: int, out_frame: int) -> list[float]:
    graph = (
        f"[1:v:0]trim=start_frame={in_frame}:end_frame={out_frame},setpts=PTS-STARTPTS[ref];"
        "[0:v:0]setpts=PTS-STARTPTS[dist];[dist][ref]psnr=stats_file=-"
    )
    out = _run(
        [FFMPEG, "-nostdin", "-v", "error", "-i", str(clip), "-i", str(src)]
        + ["-filter_complex", graph, "-f", "null", "-"],
        text=True,
    )
    assert out.returncode == 0, out.stderr
    values = []
    for line in out.stdout.splitlines():
        fields = dict(f.split(":", 1) for f in line.split() if ":" in f)
        if "psnr_avg" in fields:
            values.append(
                float("inf") if fields["psnr_avg"] == "inf" else float(fields["psnr_avg"])
            )
    return values


def raw_audio(path: Path, stream: int, fmt: str) -> bytes:
    out = _run(
        [FFMPEG, "-nostdin", "-v", "error", "-i", str(path), "-map", f"0:a:{stream}"]
        + ["-c:a", "copy", "-f", fmt, "-"]
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def gop_timecodes(path: Path) -> list[str]:
    """Timecodes of the MPEG-2 GOP headers (read from the elementary stream)."""
    out = _run(
        [FFMPEG, "-v", "error", "-i", str(path), "-map", "0:v", "-c", "copy"]
        + ["-f", "mpeg2video", "-"]
    )
    data = out.stdout
    found = []
    i = data.find(b"\x00\x00\x01\xb8")
    while i >= 0:
        v = int.from_bytes(data[i + 4 : i + 8], "big")
        sep = ";" if v >> 31 else ":"
        found.append(
            f"{v >> 26 & 31:02d}:{v >> 20 & 63:02d}:{v >> 13 & 63:02d}{sep}{v >> 7 & 63:02d}"
        )
        i = data.find(b"\x00\x00\x01\xb8", i + 4)
    return found


def clip_timecode(path: Path, info: dict) -> str | None:
    for s in info["streams"]:
        tc = s.get("tags", {}).get("timecode")
        if tc:
            return tc
    tc = info["format"].get("tags", {}).get("timecode")
    if tc:
        return tc
    if any(s.get("codec_name") == "mpeg2video" for s in info["streams"]):
        tcs = gop_timecodes(path)
        return tcs[0] if tcs else None
    return None


# ---------------------------------------------------------------- the matrix


@pytest.mark.parametrize(("kind", "label", "in_frame", "out_frame"), CASES)
def test_cut(master, tmp_path, kind, label, in_frame, out_frame):
    src = master(kind)
    n_frames, _, rate = MASTERS[kind]
    dest = tmp_path / f"clip{cut.output_extension(src)}"
    seen = []
    report = cut.cut(src, in_frame, out_frame, dest, progress=seen.append)
    n = out_frame - in_frame

    # the file, whole, and nothing else in the directory
    assert dest.is_file()
    assert [p.name for p in tmp_path.iterdir()] == [dest.name]
    assert seen and seen[-1] == 1.0 and all(0 <= v <= 1 for v in seen)
    assert seen == sorted(seen)

    # report
    assert report.frames == n
    assert report.copied_frames + report.reencoded_frames == n
    intra = KINDS[kind]["intra"]
    assert report.method == ("copy" if intra else "smart")
    if intra:
        assert report.copied_frames == n and report.reencoded_frames == 0

    # frame count by an independent judge, and a clean decode
    assert count_frames(dest) == n
    assert decode_errors(dest) == ""
    # clean timestamps: video dts strictly increasing, no ffmpeg warning
    assert timestamp_problems(dest) == []

    # copied frames are bit-identical, re-encoded ones transparent
    clip_md5 = frame_md5s(str(dest))
    src_md5 = frame_md5s(str(src))[in_frame:out_frame]
    assert len(clip_md5) == n
    copied = set()
    if report.copied_range:
        a, b = report.copied_range
        assert in_frame <= a <= b <= out_frame
        copied = set(range(a - in_frame, b - in_frame))
        assert len(copied) == report.copied_frames
    for i in copied:
        assert clip_md5[i] == src_md5[i], f"copied frame {in_frame + i} differs"
    if len(copied) < n:
        values = psnr_per_frame(dest, src, in_frame, out_frame)
        assert len(values) == n
        worst = min(values[i] for i in range(n) if i not in copied)
        assert worst >= 40.0, f"re-encoded frames at {worst:.1f} dB"

    # audio: every stream, as long as the video (within one audio frame)
    info = ffprobe_json(dest)
    src_info = ffprobe_json(src)
    video = [s for s in info["streams"] if s["codec_type"] == "video"][0]
    audios = [s for s in info["streams"] if s["codec_type"] == "audio"]
    src_audios = [s for s in src_info["streams"] if s["codec_type"] == "audio"]
    assert len(audios) == len(src_audios) == len(report.audio)
    v_dur = float(n / rate)
    if "duration" in video:
        assert abs(float(video["duration"]) - v_dur) < 0.5 / float(rate)
    for k, (a_s, src_a) in enumerate(zip(audios, src_audios, strict=True)):
        assert int(a_s["channels"]) == int(src_a["channels"])
        assert int(a_s["sample_rate"]) == int(src_a["sample_rate"])
        sr = int(a_s["sample_rate"])
        frame = {"aac": 1024, "mp2": 1152, "ac3": 1536}.get(a_s["codec_name"], 1)
        assert abs(float(a_s["duration"]) - v_dur) <= frame / sr + 1e-6, a_s
        if src_a["codec_name"] in PCM_RAW:  # PCM: the very samples of the master
            assert report.audio[k].handling == "pcm-copy"
            fmt = PCM_RAW[src_a["codec_name"]]
            block = int(src_a["channels"]) * int(fmt[1:3]) // 8
            start = round(in_frame / rate * sr)
            want = raw_audio(src, k, fmt)[start * block : (start + round(n / rate * sr)) * block]
            assert raw_audio(dest, k, fmt) == want

    # start timecode: the master's timecode at the in point
    expected = index_to_tc(in_frame, KINDS[kind]["timecode"], rate)
    assert report.start_timecode == expected
    assert clip_timecode(dest, info) == expected


# ---------------------------------------------------------------- focused checks


def test_long_gop_copies_the_middle(master, tmp_path):
    src = master("h264_closed")
    report = cut.cut(src, 1, 74, tmp_path / "c.mp4")
    assert report.method == "smart"
    assert report.copied_range == (25, 50)
    assert report.reencoded_ranges == [(1, 25), (50, 74)]
    assert report.audio[0].handling == "copy"
    assert set(report.timings) >= {"scan", "encode", "mux", "total"}


@pytest.mark.parametrize(("in_frame", "out_frame"), [(13, 62), (1, 74), (24, 51)])
def test_open_gop_copies_from_its_i_frame_made_an_idr(master, tmp_path, in_frame, out_frame):
    """An open-GOP master has no IDR after its first frame: the GOP at 25 is copied all
    the same, its I frame rewritten into an IDR (carrying the master's SPS/PPS) and the
    pictures after it renumbered; the copied frames stay bit-identical (test_cut)."""
    src = master("h264_open")
    dest = tmp_path / "c.mov"
    report = cut.cut(src, in_frame, out_frame, dest)
    assert report.copied_range == (25, 50)
    assert report.reencoded_ranges == [(in_frame, 25), (50, out_frame)]
    assert any("made an IDR" in note for note in report.notes)
    # the clip's copied packets: exactly one IDR, the first one, after the master's sets
    with av.open(str(dest)) as c:
        vs = c.streams.video[0]
        length_size = (vs.codec_context.extradata[4] & 3) + 1
        types = [nal.nal_types("h264", bytes(p), length_size) for p in c.demux(vs) if p.size]
    copied = types[25 - in_frame : 50 - in_frame]  # decode order: the copied GOP
    assert 5 in copied[0] and 7 in copied[0] and 8 in copied[0]
    assert not any(5 in t for t in copied[1:])
    assert count_frames(dest) == out_frame - in_frame
    assert decode_errors(dest) == ""
    clip, whole = frame_md5s(str(dest)), frame_md5s(str(src))
    assert clip[25 - in_frame : 50 - in_frame] == whole[25:50]


OPEN_GOP_VARIANTS = {
    # keyint 23 with 3 fixed B frames: each I frame after the first has two leading B
    # frames (one a reference, freed by an MMCO later), left out of the copy
    "leading_brefs": ("384x216", "bframes=3:b-adapt=0"),
    "cavlc_slices": ("384x216", "bframes=3:b-adapt=0:cabac=0:slices=3"),
    "mbaff": ("720x576", "bframes=3:tff=1"),
}


@pytest.mark.parametrize("variant", OPEN_GOP_VARIANTS)
def test_open_gop_variants(tmp_path, variant):
    """Leading reference B frames, CAVLC (slice data shifted bit by bit) with several
    slices per picture, MBAFF: the copied frames are the master's, bit for bit."""
    size, params = OPEN_GOP_VARIANTS[variant]
    src = tmp_path / "open.mp4"
    cmd = [FFMPEG, "-nostdin", "-v", "error", "-f", "lavfi", "-i"]
    cmd += [f"testsrc2=size={size}:rate=25:duration=4,noise=alls=20:allf=t"]
    cmd += ["-c:v", "libx264", "-preset", "fast", "-crf", "18"]
    if variant == "mbaff":
        cmd += ["-flags", "+ildct+ilme"]
    cmd += ["-x264-params", f"keyint=23:min-keyint=23:scenecut=0:open-gop=1:{params}", str(src)]
    assert _run(cmd).returncode == 0
    whole = frame_md5s(str(src))
    for in_frame, out_frame in ((5, 60), (22, 90)):
        dest = tmp_path / f"c{in_frame}.mp4"
        report = cut.cut(src, in_frame, out_frame, dest)
        assert report.copied_range and report.copied_range[0] == 23, report.notes
        a, b = report.copied_range
        assert count_frames(dest) == out_frame - in_frame
        assert decode_errors(dest) == ""
        clip = frame_md5s(str(dest))
        assert clip[a - in_frame : b - in_frame] == whole[a:b]


def decoded_audio(path: Path) -> array.array:
    """The first audio stream decoded (edit lists applied), float samples interleaved."""
    out = _run([FFMPEG, "-nostdin", "-v", "error", "-i", str(path), "-map", "0:a:0"]
               + ["-f", "f32le", "-"])  # fmt: skip
    assert out.returncode == 0, out.stderr
    return array.array("f", out.stdout)


@pytest.mark.parametrize(("in_frame", "out_frame"), [(0, 75), (1, 74), (13, 61), (37, 38)])
def test_aac_copied_sample_exact(master, tmp_path, in_frame, out_frame):
    """AAC in MP4 is copied, not re-encoded: decoded, the clip's samples are the
    master's from the in instant on, exactly (the edit list trims the first packet)."""
    src = master("h264_closed")
    dest = tmp_path / "c.mp4"
    report = cut.cut(src, in_frame, out_frame, dest)
    assert report.audio[0].handling == "copy"
    info = ffprobe_json(src)
    video = [s for s in info["streams"] if s["codec_type"] == "video"][0]
    sr = int([s for s in info["streams"] if s["codec_type"] == "audio"][0]["sample_rate"])
    start = round((float(video.get("start_time", 0)) + in_frame / 25) * sr)
    n = round((out_frame - in_frame) / 25 * sr)
    clip, whole = decoded_audio(dest), decoded_audio(src)
    assert len(clip) >= 2 * n  # FFmpeg does not trim the last packet: up to 1023 more
    want = whole[2 * start : 2 * (start + n)]
    assert len(want) == 2 * n
    # not bit-exact: the decoder's noise substitution (PNS) draws from a generator that
    # has run for fewer frames; a shift of one sample would differ by ~1e-2 on these tones
    assert max(abs(a - b) for a, b in zip(clip[: 2 * n], want, strict=True)) < 1e-3


@pytest.mark.parametrize(("in_frame", "out_frame"), [(3, 70), (25, 50), (3, 20), (0, 75)])
def test_hevc_track_is_hvc1_with_every_parameter_set_in_its_hvcc(
    master, tmp_path, in_frame, out_frame
):
    """Apple and Chromium expect hvc1: all parameter sets in the sample entry, none in
    band.  The master's and x265's sets (renumbered) share the hvcC."""
    dest = tmp_path / "c.mp4"
    report = cut.cut(master("hevc"), in_frame, out_frame, dest)
    info = ffprobe_json(dest)
    assert info["streams"][0]["codec_tag_string"] == "hvc1", report.notes
    assert count_frames(dest) == out_frame - in_frame
    assert decode_errors(dest) == ""
    with av.open(str(dest)) as c:
        vs = c.streams.video[0]
        length_size = (vs.codec_context.extradata[21] & 3) + 1
        for packet in c.demux(vs):
            if packet.size:
                types = nal.nal_types("hevc", bytes(packet), length_size)
                assert not set(types) & set(nal.HEVC_PARAMETER_SETS)


def test_hevc_master_with_in_band_parameter_sets_stays_hev1(tmp_path):
    """A master whose pictures carry their own parameter sets cannot be hvc1: the clip
    is hev1, with x265's sets in band, and still decodes cleanly."""
    src = tmp_path / "inband.mp4"
    cmd = [FFMPEG, "-nostdin", "-v", "error", "-f", "lavfi", "-i"]
    cmd += ["testsrc2=size=320x180:rate=25:duration=3", "-c:v", "libx265", "-preset"]
    cmd += ["ultrafast", "-x265-params", "keyint=25:min-keyint=25:scenecut=0:"
            "repeat-headers=1:log-level=error", "-tag:v", "hev1", str(src)]  # fmt: skip
    assert _run(cmd).returncode == 0
    dest = tmp_path / "c.mp4"
    report = cut.cut(src, 3, 70, dest)
    assert report.copied_frames > 0
    assert any("in band" in note for note in report.notes)
    assert ffprobe_json(dest)["streams"][0]["codec_tag_string"] == "hev1"
    assert count_frames(dest) == 67
    assert decode_errors(dest) == ""


@pytest.mark.parametrize(
    ("kind", "ext"),
    [("h264_closed", ".mp4"), ("prores", ".mov"), ("mpeg2_mxf", ".mxf"), ("mpeg2_ts", ".ts")],
)
def test_output_extension(master, kind, ext):
    assert cut.output_extension(master(kind)) == ext


@pytest.mark.parametrize("kind", ["not_video", "truncated"])
def test_refuses_unreadable_masters(master, tmp_path, kind):
    dest = tmp_path / "c.mp4"
    with pytest.raises(MediaError):
        cut.cut(master(kind), 0, 10, dest)
    assert list(tmp_path.iterdir()) == []


def test_bad_selections(master, tmp_path):
    src = master("h264_closed")
    dest = tmp_path / "c.mp4"
    with pytest.raises(ValueError):
        cut.cut(src, 10, 10, dest)
    with pytest.raises(ValueError):
        cut.cut(src, -1, 10, dest)
    with pytest.raises(ValueError):
        cut.cut(src, 1.5, 10, dest)
    with pytest.raises(MediaError, match="beyond"):
        cut.cut(src, 70, 76, dest)
    assert list(tmp_path.iterdir()) == []


def test_temp_file_removed_on_failure(master, tmp_path, monkeypatch):
    src = master("h264_closed")
    dest = tmp_path / "c.mp4"
    dest.write_bytes(b"old clip")  # an earlier clip stays untouched on failure

    real = mux.mux_into

    def failing(job, out, *args, **kwargs):
        real(job, out, *args, **kwargs)
        assert os.path.getsize(job.tmp) >= 0  # the temp file exists by now
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(mux, "mux_into", failing)
    with pytest.raises(RuntimeError, match="disk on fire"):
        cut.cut(src, 5, 60, dest)
    assert [p.name for p in tmp_path.iterdir()] == ["c.mp4"]
    assert dest.read_bytes() == b"old clip"


def test_report_is_json_friendly(master, tmp_path):
    import json

    report = cut.cut(master("prores"), 5, 15, tmp_path / "c.mov")
    data = json.loads(json.dumps(report.to_dict()))
    assert data["method"] == "copy" and data["frames"] == 10
    assert data["audio"][0]["channels"] == 8


def test_full_reencode_fallback_for_other_codecs(tmp_path):
    src = tmp_path / "mpeg4.mov"
    gen = _run(
        [FFMPEG, "-nostdin", "-v", "error", "-f", "lavfi", "-i"]
        + ["testsrc2=size=320x180:rate=25:duration=2", "-f", "lavfi", "-i", "sine=d=2"]
        + ["-c:v", "mpeg4", "-q:v", "2", "-g", "12", "-bf", "2", "-c:a", "aac"]
        + ["-timecode", "10:00:00:00", str(src)]
    )
    assert gen.returncode == 0, gen.stderr
    dest = tmp_path / "clip.mov"
    report = cut.cut(src, 5, 40, dest)
    assert report.method == "reencode"
    assert report.reencoded_frames == 35 and report.copied_frames == 0
    assert "mpeg4" in report.notes[0]
    assert count_frames(dest) == 35
    assert decode_errors(dest) == ""
    assert min(psnr_per_frame(dest, src, 5, 40)) >= 40.0
    assert report.start_timecode == "10:00:00:05"
