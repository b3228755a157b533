"""Benchmark of stills (app.media.still.grab_still): decoding from the keyframe before
the frame versus decoding from the start of the file.

Master: 60 s of 1080p25 H.264 High long-GOP (GOP 50, closed, 3 B-frames, CRF 20,
testsrc2 motion plus temporal noise, BT.709 tagged), generated once into
benchmarks/out/still/ (gitignored) by Debian's ffmpeg.

For each of --frames frame indexes (default: mid-GOP frames spread over the file) the
same call runs with ``seek=True`` (the product) and ``seek=False`` (decode every frame
from the first one), --repeat times each (default 3), taking turns; the table gives
the medians and their ratio. Both write the same PNG (compression level 3) and JPEG.

    .venv/bin/python benchmarks/bench_still.py
    .venv/bin/python benchmarks/bench_still.py --repeat 1 --frames 375,1125
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.media.still import grab_still  # noqa: E402  (after the path is set)

OUT = ROOT / "benchmarks" / "out" / "still"
FFMPEG = "/usr/bin/ffmpeg"
SECONDS = 60
GOP = 50


def make_master(path: Path) -> Path:
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(".partial-" + path.name)
    video = f"testsrc2=size=1920x1080:rate=25:duration={SECONDS},noise=alls=4:allf=t"
    params = f"keyint={GOP}:min-keyint={GOP}:scenecut=0:bframes=3:open-gop=0"
    cmd = [FFMPEG, "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", video]
    cmd += ["-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p"]
    cmd += ["-x264-params", params, "-colorspace", "bt709", "-color_primaries", "bt709"]
    cmd += ["-color_trc", "bt709", "-movflags", "+faststart", str(tmp)]
    subprocess.run(cmd, check=True)
    os.replace(tmp, path)
    return path


def timed(master, frame, seek, fmt):
    dest = OUT / f"still-{frame}-{'seek' if seek else 'start'}.{'png' if fmt == 'png' else 'jpg'}"
    started, cpu = time.perf_counter(), time.process_time()
    report = grab_still(master, frame, dest, fmt, seek=seek)
    return time.perf_counter() - started, time.process_time() - cpu, report


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--frames", default="", help="comma-separated frame indexes")
    parser.add_argument("--format", default="png", choices=("png", "jpeg"))
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    master = make_master(OUT / "master-1080p25-gop50.mp4")
    total = SECONDS * 25
    frames = [int(f) for f in args.frames.split(",") if f] or [
        GOP * k + GOP // 2 + 1 for k in (2, 12, 22) if GOP * k + GOP // 2 + 1 < total
    ]
    grab_still(master, 0, OUT / "warm.png")  # page cache and libraries warm
    rows = []
    for frame in frames:
        seek_times, start_times, seek_cpu, start_cpu = [], [], [], []
        report = None
        for _ in range(args.repeat):
            seconds, cpu, report = timed(master, frame, True, args.format)
            seek_times.append(seconds)
            seek_cpu.append(cpu)
            seconds, cpu, _start_report = timed(master, frame, False, args.format)
            start_times.append(seconds)
            start_cpu.append(cpu)
        row = {
            "frame": frame,
            "keyframe": report.keyframe_index,
            "decoded_seek": report.decoded_frames,
            "seek_s": statistics.median(seek_times),
            "start_s": statistics.median(start_times),
            "seek_cpu_s": statistics.median(seek_cpu),
            "start_cpu_s": statistics.median(start_cpu),
        }
        row["ratio"] = row["start_s"] / row["seek_s"]
        rows.append(row)
    print(f"load average: {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end")
    print(
        "| frame | decoding starts at | frames decoded | keyframe-only s (CPU s) "
        "| from-start s (CPU s) | ratio |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['frame']} | {r['keyframe']} | {r['decoded_seek']} "
            f"| {r['seek_s']:.3f} ({r['seek_cpu_s']:.2f}) "
            f"| {r['start_s']:.3f} ({r['start_cpu_s']:.2f}) | **{r['ratio']:.1f}** |"
        )
    (OUT / "results.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
