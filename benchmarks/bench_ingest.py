"""Ingest benchmark: `make_renditions` (PyAV, one decode) vs one ffmpeg command line.

    .venv/bin/python benchmarks/bench_ingest.py            # 10-minute master
    .venv/bin/python benchmarks/bench_ingest.py --minutes 1  # quick run

Generates once, into benchmarks/out/ (gitignored), a 1920x1080p25 master: H.264 High
4:2:0 8-bit (libx264 ultrafast, CRF 16, i.e. a heavy mezzanine) + PCM s16le stereo
48 kHz in MOV, picture ``testsrc2`` with mild temporal noise.

Then times, in the same run, the same three-rung ladder (`LADDER` below: web proxy
960x540 CRF 26 / maxrate 2 Mb/s / keyframe every 1 s, 1920x1080 CRF 20, 1280x720
CRF 21, all libx264 preset veryfast, profile high, fixed GOP without scene-cut,
yuv420p, bicubic scaling, AAC-LC stereo 48 kHz, ``+faststart``):

* ours: ``app.media.renditions.make_renditions(master, LADDER)`` — one decode, one
  split filter graph, three libx264 + three AAC encoders, three MP4 muxers;
* ffmpeg: one ``/usr/bin/ffmpeg`` process with the same filter graph (split ->
  scale/format/setsar per output; aresample/aformat -> asplit for the audio) and the
  same encoder options, writing the same three files.

Both decode with automatic frame threads and let libx264 pick its thread count.  Note
that the two sides use different builds of the libraries (PyAV 18.1 wheels bundle
FFmpeg 8.1 and their own x264; Debian's ffmpeg is 5.1 with Debian's x264), so the
ratio measures our pipeline *and* those builds.  Reported: wall time and CPU time
(user+sys of this process / of the child) per side, the ratio ours/ffmpeg, and the
output sizes.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.media.probe import probe  # noqa: E402
from app.media.renditions import RenditionSpec, make_renditions, plan_ladder  # noqa: E402

FFMPEG = "/usr/bin/ffmpeg"
OUT = ROOT / "benchmarks" / "out"

LADDER = [
    RenditionSpec(
        name="proxy",
        label="Web proxy",
        max_height=540,
        crf=26,
        maxrate=2_000_000,
        preset="veryfast",
        audio_bitrate=96_000,
        keyframe_interval=1.0,
        always=True,
    ),
    RenditionSpec(name="1080p", label="Full HD", max_height=1080, crf=20, preset="veryfast"),
    RenditionSpec(name="720p", label="HD", max_height=720, crf=21, preset="veryfast"),
]


def make_master(minutes: float) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    dest = OUT / f"master_1080p25_{minutes:g}min.mov"
    if dest.exists():
        return dest
    seconds = minutes * 60
    tmp = dest.with_suffix(".partial.mov")
    cmd = [
        FFMPEG, "-nostdin", "-v", "error", "-y",
        "-f", "lavfi", "-i", f"testsrc2=size=1920x1080:rate=25:duration={seconds},noise=alls=4:allf=t",
        "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}",
        "-map", "0:v", "-map", "1:a", "-ac", "2",
        "-c:v", "libx264", "-preset", "ultrafast", "-crf", "16", "-pix_fmt", "yuv420p",
        "-c:a", "pcm_s16le", "-timecode", "10:00:00:00", str(tmp),
    ]  # fmt: skip
    print(f"generating {dest.name} ...", flush=True)
    started = time.monotonic()
    subprocess.run(cmd, check=True)
    os.replace(tmp, dest)
    print(f"  done in {time.monotonic() - started:.0f} s", flush=True)
    return dest


def ffmpeg_command(master: Path, dest: Path, info) -> list[str]:
    """The one-process ffmpeg equivalent of make_renditions(master, LADDER)."""
    chosen, _skipped = plan_ladder(info, LADDER)
    n = len(chosen)
    parts = [f"[0:v]split={n}" + "".join(f"[v{i}]" for i in range(n))]
    for i, (_spec, w, h) in enumerate(chosen):
        parts.append(f"[v{i}]scale={w}:{h}:flags=bicubic,format=yuv420p,setsar=1[vo{i}]")
    parts.append(
        "[0:a]pan=stereo|c0=c0|c1=c1,aresample=48000:async=1:first_pts=0:min_hard_comp=0.02,"
        f"aformat=sample_fmts=fltp:channel_layouts=stereo,asplit={n}"
        + "".join(f"[ao{i}]" for i in range(n))
    )
    cmd = [FFMPEG, "-nostdin", "-v", "error", "-y", "-i", str(master)]
    cmd += ["-filter_complex", ";".join(parts)]
    rate = info.frame_rate
    for i, (spec, _w, _h) in enumerate(chosen):
        gop = round(spec.keyframe_interval * rate)
        cmd += ["-map", f"[vo{i}]", "-map", f"[ao{i}]", "-c:v", "libx264"]
        cmd += ["-preset", spec.preset, "-profile:v", spec.profile, "-crf", str(spec.crf)]
        if spec.maxrate:
            cmd += ["-maxrate", str(spec.maxrate), "-bufsize", str(spec.maxrate * 2)]
        cmd += ["-x264-params", f"keyint={gop}:min-keyint={gop}:scenecut=0"]
        cmd += ["-c:a", "aac", "-b:a", str(spec.audio_bitrate), "-ar", "48000"]
        cmd += ["-movflags", "+faststart", str(dest / f"{spec.name}.mp4")]
    return cmd


def _cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="master length")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    master = make_master(args.minutes)
    info = probe(master)
    print(f"master: {master.name}: {info.summary()}, {info.duration:.0f} s, "
          f"{info.frame_count} frames, {info.size / 1e6:.0f} MB")  # fmt: skip

    ours_dir = OUT / "ours"
    ff_dir = OUT / "ffmpeg"
    for folder in (ours_dir, ff_dir):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)

    # ffmpeg first warms the page cache for both (the master is read in full by each)
    cmd = ffmpeg_command(master, ff_dir, info)
    print("ffmpeg:", " ".join(f"'{c}'" if any(x in c for x in " [];|") else c for c in cmd))
    cpu0 = _cpu_children()
    t0 = time.monotonic()
    subprocess.run(cmd, check=True)
    ff_wall = time.monotonic() - t0
    ff_cpu = _cpu_children() - cpu0

    cpu0 = _cpu_self()
    t0 = time.monotonic()
    report = make_renditions(master, LADDER, dest_dir=ours_dir, info=info)
    ours_wall = time.monotonic() - t0
    ours_cpu = _cpu_self() - cpu0

    rows = []
    for rendition in report:
        theirs = ff_dir / f"{rendition.name}.mp4"
        rows.append(
            {
                "name": rendition.name,
                "size": f"{rendition.width}x{rendition.height}",
                "ours_MB": round(rendition.size / 1e6, 1),
                "ffmpeg_MB": round(theirs.stat().st_size / 1e6, 1),
            }
        )
    figures = {
        "master": master.name,
        "duration_s": info.duration,
        "ours_wall_s": round(ours_wall, 1),
        "ffmpeg_wall_s": round(ff_wall, 1),
        "ratio_wall": round(ours_wall / ff_wall, 3),
        "ours_cpu_s": round(ours_cpu, 1),
        "ffmpeg_cpu_s": round(ff_cpu, 1),
        "ratio_cpu": round(ours_cpu / ff_cpu, 3) if ff_cpu else None,
        "speed_ours_x_realtime": round(info.duration / ours_wall, 2),
        "outputs": rows,
        "cores": os.cpu_count(),
    }
    print(json.dumps(figures, indent=2))
    verdict = "OK" if figures["ratio_wall"] <= 1.1 else "OVER TARGET"
    print(f"ours/ffmpeg wall-clock ratio: {figures['ratio_wall']:.3f} (target <= 1.1: {verdict})")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
