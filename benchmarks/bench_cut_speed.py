"""Speed and memory of the smart cut against an earlier engine, in the same run.

The earlier engine is any checkout of Rushes (its ``app.media.cut``, or the
``app.media.smartcut`` module of the first version), given with ``--baseline``:

    git worktree add ../rushes-baseline f3b2f47      # the engine as issue 12 found it
    .venv/bin/python benchmarks/bench_cut_speed.py --baseline ../rushes-baseline

Masters (generated once into benchmarks/out/, gitignored), natural pictures: a pan
across a photograph (Debian's mate-backgrounds) with light temporal grain, H.264 High,
GOP 50 closed, 3 B-frames, stereo AAC, timecode 10:00:00:00, each a segment encoded by
x264 and repeated by stream copy:

* 1080p25 at ~20 Mb/s, 10 minutes; a 60 s clip from the middle, in and out 13 frames
  past a keyframe; and a 590 s clip (the copy and mux of a long clip);
* 2160p25 at ~45 Mb/s, 90 s; a 60 s clip, in and out off keyframes.

Each cut runs in a child process, timed inside it after its imports (a warm worker);
peak RSS from wait4.  The engines take turns ``--repeat`` times; medians.  Beside them,
once: ``ffmpeg -ss -to -c copy`` of the same range (the floor, not frame-accurate), a
full x264 re-encode at presets veryfast and medium (timed on ``--full-seconds`` of the
clip and scaled), and the smartcut 1.7 CLI when benchmarks/.venv-smartcut exists (see
bench_smartcut.py).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

from bench_smartcut import FFMPEG, OUT, PY, ROOT, SMARTCUT, decode_ok, frames_of, sh, timed

FPS = 25
PHOTO = "/usr/share/backgrounds/mate/nature/Wood.jpg"  # 2560x1920, Debian mate-backgrounds
MASTERS = {
    # name: (width, height, video bit rate, segment seconds, master seconds)
    "1080p": (1920, 1080, "20M", 30, 600),
    "2160p": (3840, 2160, "45M", 10, 90),
}

CHILD = """
import json, sys, time
sys.path.insert(0, {root!r})
try:
    from app.media.cut import cut
except ImportError:  # the first version's engine
    from app.media.smartcut import cut
t = time.monotonic()
r = cut({src!r}, {a}, {b}, {dest!r})
print(json.dumps({{"cut": time.monotonic() - t, "timings": getattr(r, "timings", None),
                  "copied": r.copied_frames, "reencoded": r.reencoded_frames}}))
"""


def generate(name: str) -> Path:
    width, height, rate, segment_s, seconds = MASTERS[name]
    OUT.mkdir(parents=True, exist_ok=True)
    dest = OUT / f"natural_{name}_{seconds}s.mp4"
    if dest.exists():
        return dest
    segment = OUT / f"natural_{name}_{segment_s}s.mp4"
    if not segment.exists():
        # the photograph scaled past the frame, a diagonal pan of 7 and 3 pixels a
        # frame (1080p; twice that at 2160p), grain as a sensor gives
        scale = 4 if height > 1080 else 2
        big_w, big_h = width + 640 * scale // 2, height + 540 * scale // 2
        pan = (
            f"scale={big_w}:{big_h},crop={width}:{height}:"
            f"x='mod(n*{3.5 * scale}\\,{big_w - width})':y='mod(n*{1.5 * scale}\\,{big_h - height})',"
            "noise=alls=3:allf=t,format=yuv420p"
        )
        tmp = segment.with_suffix(".partial.mp4")
        cmd = [FFMPEG, "-nostdin", "-v", "error", "-y", "-loop", "1", "-framerate", str(FPS)]
        cmd += [
            "-i",
            PHOTO,
            "-f",
            "lavfi",
            "-i",
            f"aevalsrc=0.2*sin(2*PI*440*t)|0.2*sin(2*PI*660*t):s=48000:d={segment_s}",
        ]
        cmd += ["-vf", pan, "-t", str(segment_s), "-map", "0:v", "-map", "1:a"]
        cmd += ["-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high", "-b:v", rate,
                "-maxrate", rate, "-bufsize", rate,
                "-x264-params", "keyint=50:min-keyint=50:scenecut=0:bframes=3:open-gop=0",
                "-c:a", "aac", "-b:a", "192k", str(tmp)]  # fmt: skip
        proc = sh(cmd)
        if proc.returncode:
            raise SystemExit(f"generating {segment.name} failed:\n{proc.stderr}")
        os.replace(tmp, segment)
    listing = OUT / f"natural_{name}_concat.txt"
    listing.write_text(f"file '{segment.name}'\n" * -(-seconds // segment_s))
    tmp = dest.with_suffix(".partial.mp4")
    cmd = [FFMPEG, "-nostdin", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i"]
    cmd += [str(listing), "-t", str(seconds), "-c", "copy", "-timecode", "10:00:00:00", str(tmp)]
    proc = sh(cmd)
    if proc.returncode:
        raise SystemExit(f"concatenating {dest.name} failed:\n{proc.stderr}")
    os.replace(tmp, dest)
    return dest


def run_cut(root: Path, src: Path, a: int, b: int, dest: Path) -> dict:
    if dest.exists():
        dest.unlink()
    code = CHILD.format(root=str(root), src=str(src), a=a, b=b, dest=str(dest))
    wall, rss, proc = timed([PY, "-c", code])
    if proc.returncode:
        raise SystemExit(f"cut failed ({root}):\n{proc.stderr[-2000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out.update(process=wall, rss_mb=rss / 1024)
    return out


def ffmpeg_copy(src: Path, a: int, b: int, dest: Path) -> float:
    cmd = [FFMPEG, "-nostdin", "-v", "error", "-y", "-ss", f"{a / FPS}", "-to", f"{b / FPS}"]
    cmd += ["-i", str(src), "-map", "0:v", "-map", "0:a", "-c", "copy", str(dest)]
    wall, _, proc = timed(cmd)
    if proc.returncode:
        raise SystemExit(proc.stderr)
    return wall


def full_reencode(src: Path, a: int, b: int, preset: str, seconds: float) -> float:
    part = min(seconds, (b - a) / FPS)
    cmd = [FFMPEG, "-nostdin", "-v", "error", "-y", "-ss", f"{a / FPS}", "-t", f"{part}"]
    cmd += ["-i", str(src), "-map", "0:v", "-map", "0:a", "-c:v", "libx264", "-preset", preset]
    cmd += ["-crf", "16", "-c:a", "aac", "-b:a", "192k", str(OUT / "speed" / "full.mp4")]
    wall, _, _ = timed(cmd)
    return wall * ((b - a) / FPS) / part


def smartcut_cli(src: Path, a: int, b: int) -> dict | None:
    if not SMARTCUT.exists():
        return None
    dest = OUT / "speed" / "smartcut.mp4"
    if dest.exists():
        dest.unlink()
    wall, rss, proc = timed([str(SMARTCUT), str(src), str(dest), "--frames", "-k", f"{a},{b}"])
    res = {"wall": wall, "rss_mb": rss / 1024, "ok": proc.returncode == 0}
    if res["ok"]:
        res["frames"] = frames_of(dest)
    return res


def case(name: str, src: Path, a: int, b: int, baseline: Path, args) -> dict:
    work = OUT / "speed"
    work.mkdir(exist_ok=True)
    runs: dict[str, list[dict]] = {"baseline": [], "ours": []}
    copies = []
    for _ in range(args.repeat):
        runs["baseline"].append(run_cut(baseline, src, a, b, work / "baseline.mp4"))
        runs["ours"].append(run_cut(ROOT, src, a, b, work / "ours.mp4"))
        copies.append(ffmpeg_copy(src, a, b, work / "ffmpeg_copy.mp4"))
    res = {"case": name, "master": src.name, "in": a, "out": b, "runs": runs, "copy": copies}
    for who in runs:
        res[who] = statistics.median(r["cut"] for r in runs[who])
        res[who + "_rss_mb"] = max(r["rss_mb"] for r in runs[who])
        res[who + "_mux"] = statistics.median((r["timings"] or {}).get("mux", 0) for r in runs[who])
    res["ffmpeg_copy"] = statistics.median(copies)
    res["frames"] = frames_of(work / "ours.mp4")
    res["decode_ok"] = decode_ok(work / "ours.mp4")
    res["ratio"] = res["ours"] / res["baseline"]
    if args.rivals:
        for preset in ("veryfast", "medium"):
            res[f"x264_{preset}"] = full_reencode(src, a, b, preset, args.full_seconds)
        res["smartcut"] = smartcut_cli(src, a, b)
    print(json.dumps({k: v for k, v in res.items() if k != "runs"}, default=str), flush=True)
    return res


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--baseline", type=Path, required=True, help="an earlier checkout of Rushes")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--full-seconds", type=float, default=6.0)
    p.add_argument("--no-rivals", dest="rivals", action="store_false")
    p.add_argument("--cases", default="1080p,2160p,long", help="comma-separated")
    p.add_argument("--json", type=Path, default=OUT / "speed" / "results.json")
    args = p.parse_args()
    baseline = args.baseline.resolve()
    if not (baseline / "app" / "media").is_dir():
        raise SystemExit(f"{baseline} is not a checkout of Rushes")
    results = []
    wanted = args.cases.split(",")
    if "1080p" in wanted or "long" in wanted:
        src = generate("1080p")
        total = MASTERS["1080p"][4] * FPS
        if "1080p" in wanted:
            a = total // 2 - 750 + 13
            results.append(case("1080p, 60 s clip", src, a, a + 1500, baseline, args))
        if "long" in wanted:
            quick = argparse.Namespace(**{**vars(args), "rivals": False})
            results.append(case("1080p, 590 s clip", src, 113, 113 + 590 * FPS, baseline, quick))
    if "2160p" in wanted:
        src = generate("2160p")
        total = MASTERS["2160p"][4] * FPS
        a = total // 2 - 750 + 13
        results.append(case("2160p, 60 s clip", src, a, a + 1500, baseline, args))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2, default=str))
    print(
        "\n| case | baseline s | ours s | ratio | RSS MB (baseline, ours) | mux s (ours) "
        "| ffmpeg -c copy s |\n|---|---:|---:|---:|---:|---:|---:|"
    )
    for r in results:
        print(f"| {r['case']} | {r['baseline']:.2f} | {r['ours']:.2f} | {r['ratio']:.2f} "
              f"| {r['baseline_rss_mb']:.0f}, {r['ours_rss_mb']:.0f} | {r['ours_mux']:.2f} "
              f"| {r['ffmpeg_copy']:.2f} |")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
