"""Chromium plays smart-cut clips through their joins.

FFmpeg decoding a clip cleanly (tests/media) does not prove that a browser does: the
re-encoded head and tail carry their own parameter sets, and the decoder must switch
at the joins. Here Chromium plays each clip to its end without a decode error, then
shows, at the frames on both sides of each join, the picture FFmpeg decodes there
(each frame compared with every frame of the clip: the nearest must be itself).
"""

import subprocess

import pytest

from app.media.cut import cut
from tests.mediagen import master, media_dir  # noqa: F401  (fixtures)

# The database plays no part: run once, in the SQLite pass.
pytestmark = [pytest.mark.e2e, pytest.mark.media, pytest.mark.fresh_app]

# kind, in_frame, out_frame (exclusive), frame rate: in and out inside GOPs, so that the
# clip has a re-encoded head, copied GOPs, and a re-encoded tail.
CASES = [
    ("h264_closed", 13, 62, 25),  # GOP 25, B-frames, MP4
    ("h264_2997df", 7, 75, 30000 / 1001),  # GOP 30, MOV, 29.97
    ("h264_interlaced", 5, 31, 25),  # 1080i MBAFF, GOP 12
    ("h264_open", 13, 62, 25),  # open GOP: the copied I frame made an IDR, MOV
]

PLAY_TO_THE_END = """async (src) => {
  const v = document.createElement("video");
  v.muted = true;
  v.preload = "auto";
  document.body.append(v);
  const errors = [];
  v.addEventListener("error", () => errors.push(v.error && v.error.code));
  v.src = src;
  await new Promise((ok) => { v.oncanplay = ok; v.onerror = ok; });
  if (!v.error) {
    await v.play();
    await new Promise((ok) => { v.onended = ok; v.onerror = ok; });
  }
  const q = v.getVideoPlaybackQuality();
  return {errors, ended: v.ended, width: v.videoWidth, height: v.videoHeight,
          duration: v.duration, total: q.totalVideoFrames, corrupted: q.corruptedVideoFrames};
}"""

GRAB_FRAMES = """async ([src, times, width, height]) => {
  const v = document.createElement("video");
  v.muted = true;
  v.preload = "auto";
  v.src = src;
  document.body.append(v);
  await new Promise((ok) => { v.oncanplay = ok; });
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext("2d", {willReadFrequently: true});
  const grabs = [];
  for (const t of times) {
    v.currentTime = t;
    await new Promise((ok) => { v.onseeked = ok; });
    ctx.drawImage(v, 0, 0, width, height);
    const rgba = ctx.getImageData(0, 0, width, height).data;
    const rgb = [];
    for (let i = 0; i < rgba.length; i += 4) rgb.push(rgba[i], rgba[i + 1], rgba[i + 2]);
    grabs.push(rgb);
  }
  return {grabs, error: v.error && v.error.code};
}"""

# Compared at a small size: enough to tell neighbouring frames of the moving test
# pattern apart, small enough to pass through the page and compare quickly.
GRAB_W, GRAB_H = 64, 36
FRAME_BYTES = GRAB_W * GRAB_H * 3


def ffmpeg_frames(path):
    """Every frame of the clip as FFmpeg decodes it, RGB at the grab size."""
    raw = subprocess.run(
        [
            "/usr/bin/ffmpeg",
            "-nostdin",
            "-v",
            "error",
            "-i",
            str(path),
            "-map",
            "0:v:0",
            "-vf",
            f"scale={GRAB_W}:{GRAB_H}:flags=area",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ],
        capture_output=True,
        check=True,
        timeout=120,
    ).stdout
    return [raw[i : i + FRAME_BYTES] for i in range(0, len(raw), FRAME_BYTES)]


def mean_difference(a, b):
    return sum(abs(x - y) for x, y in zip(a, b, strict=True)) / len(a)


@pytest.fixture
def serve_clips(app, tmp_path):
    """Clips cut into tmp_path, served by the app like a media file (Range requests)."""
    from app.http.sendfile import send_media

    def clip_file(name):
        return send_media(str(tmp_path / name), name, as_attachment=False)

    app.add_url_rule("/_playback/<name>", "playback_clip", clip_file)
    return tmp_path


@pytest.mark.parametrize(("kind", "in_frame", "out_frame", "fps"), CASES)
def test_chromium_plays_a_clip_through_its_joins(
    serve_clips,
    page,
    live_server,
    master,  # noqa: F811
    kind,
    in_frame,
    out_frame,
    fps,
):
    name = f"{kind}.{master(kind).suffix.lstrip('.')}"
    report = cut(master(kind), in_frame, out_frame, serve_clips / name)
    assert report.method == "smart"
    assert report.reencoded_frames and report.copied_frames
    frames = out_frame - in_frame
    # The joins, in clip frame numbers: where copying starts and where it stops.
    copy_from, copy_to = (n - in_frame for n in report.copied_range)
    assert 0 < copy_from < copy_to < frames

    page.goto(live_server.url + "/terms")
    src = f"/_playback/{name}"
    played = page.evaluate(PLAY_TO_THE_END, src)
    assert played["errors"] == [] and played["ended"], played
    assert played["corrupted"] == 0, played
    assert played["total"] == frames, played
    assert abs(played["duration"] - frames / fps) < 2 / fps

    reference = ffmpeg_frames(serve_clips / name)
    assert len(reference) == frames
    wanted = sorted(
        {0, frames - 1} | {n for join in (copy_from, copy_to) for n in (join - 1, join)}
    )
    grabbed = page.evaluate(GRAB_FRAMES, [src, [(n + 0.5) / fps for n in wanted], GRAB_W, GRAB_H])
    assert grabbed["error"] is None
    for n, pixels in zip(wanted, grabbed["grabs"], strict=True):
        distance = [mean_difference(frame, pixels) for frame in reference]
        nearest = min(range(frames), key=distance.__getitem__)
        assert nearest == n, (n, distance[max(n - 2, 0) : n + 3])
        # Colour conversion and scaling differ between the two decoders' outputs (about
        # 8-14 here); a damaged picture (grey or smeared blocks) is far beyond this.
        assert distance[n] < 25, distance[n]
