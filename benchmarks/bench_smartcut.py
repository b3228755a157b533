"""Benchmark of the smart-cut engine (app.media.cut) against its floor and rivals.

Master: N minutes (default 10) of 1080p25 H.264 High long-GOP (2-second closed GOP,
3 B-frames) at a broadcast bit rate (~35 Mb/s), testsrc2 motion plus temporal noise,
stereo AAC, timecode 10:00:00:00; generated once into benchmarks/out/ (gitignored) as
a 30-second segment encoded by x264 and repeated by stream copy up to N minutes.
Clip: 60 s from the middle, in and out not on keyframes.

Timed in the same run:
  (a) our cut (in a child process, timed inside it after its imports as in a warm
      worker, and as a whole process; its peak RSS from wait4's rusage)
  (b) ffmpeg -ss ... -to ... -c copy             (the floor: no frame accuracy)
  (c) full re-encode, libx264 preset medium CRF 16 (transparent)
  (d) the smartcut CLI (PyPI smartcut 1.7, in benchmarks/.venv-smartcut)
  (e) decoding + encoding 100 frames (two GOPs) with the settings our engine uses
(a), (b) and (e) take turns --repeat times (default 3); the table gives medians.
plus a ProRes 422 HQ master (pure copy) and an MPEG-2 MXF master (smart), both shorter
(--aux-minutes), each against ffmpeg -c copy.

    .venv/bin/python benchmarks/bench_smartcut.py                 # full: 10 minutes
    .venv/bin/python benchmarks/bench_smartcut.py --minutes 2     # quick

The rival venv: python3 -m venv benchmarks/.venv-smartcut &&
benchmarks/.venv-smartcut/bin/pip install smartcut==1.7   (it pins av==16.0.1).
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
OUT = ROOT / "benchmarks" / "out"
FFMPEG = "/usr/bin/ffmpeg"
FFPROBE = "/usr/bin/ffprobe"
SMARTCUT = ROOT / "benchmarks" / ".venv-smartcut" / "bin" / "smartcut"
PY = sys.executable
FPS = 25
SEGMENT_SECONDS = 30  # the H.264 master is this segment, generated once, repeated


def sh(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, check=False, **kw)


def generate(kind: str, minutes: float) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    seconds = round(minutes * 60)
    name = {
        "h264": f"bench_h264_1080p25_{seconds}s.mp4",
        "prores": f"bench_prores_1080p25_{seconds}s.mov",
        "mpeg2": f"bench_mpeg2_1080i25_{seconds}s.mxf",
    }[kind]
    dest = OUT / name
    if dest.exists():
        return dest
    video = f"testsrc2=size=1920x1080:rate={FPS}:duration={seconds},noise=alls=8:allf=t"
    audio = f"aevalsrc=0.2*sin(2*PI*440*t)|0.2*sin(2*PI*660*t):s=48000:d={seconds}"
    args = {
        "h264": [
            "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high",
            "-pix_fmt", "yuv420p", "-b:v", "35M", "-maxrate", "40M", "-bufsize", "40M",
            "-x264-params", "keyint=50:min-keyint=50:scenecut=0:bframes=3:open-gop=0",
            "-c:a", "aac", "-b:a", "192k",
        ],
        "prores": [
            "-c:v", "prores_ks", "-profile:v", "3", "-pix_fmt", "yuv422p10le",
            "-c:a", "pcm_s24le",
        ],
        "mpeg2": [
            "-c:v", "mpeg2video", "-pix_fmt", "yuv422p", "-g", "12", "-bf", "2",
            "-flags", "+cgop+ildct+ilme", "-top", "1", "-sc_threshold", "1000000000",
            "-b:v", "50M", "-maxrate", "50M", "-minrate", "50M", "-bufsize", "17825792",
            "-c:a", "pcm_s24le",
        ],
    }[kind]  # fmt: skip
    tmp = dest.with_suffix(".partial" + dest.suffix)
    if kind == "h264" and seconds > SEGMENT_SECONDS:
        # Encoding 10 minutes of noisy 1080p takes long on two cores: a segment is
        # encoded once and repeated with the concat demuxer (stream copy; closed GOPs of
        # equal length, so the joins fall on GOP boundaries and timestamps run on).
        segment = generate("h264", SEGMENT_SECONDS / 60)
        repeats = -(-seconds // SEGMENT_SECONDS)
        listing = OUT / f"concat_{seconds}s.txt"
        listing.write_text(f"file '{segment.name}'\n" * repeats)
        cmd = [FFMPEG, "-nostdin", "-v", "error", "-y", "-f", "concat", "-safe", "0"]
        cmd += ["-i", str(listing), "-t", str(seconds), "-map", "0:v", "-map", "0:a"]
        cmd += ["-c", "copy", "-timecode", "10:00:00:00", str(tmp)]
        proc = sh(cmd)
        if proc.returncode:
            raise SystemExit(f"concatenating {kind} failed:\n{proc.stderr}")
        os.replace(tmp, dest)
        return dest
    cmd = [FFMPEG, "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", video]
    cmd += ["-f", "lavfi", "-i", audio, "-map", "0:v", "-map", "1:a", *args]
    cmd += ["-timecode", "10:00:00:00", str(tmp)]
    t = time.monotonic()
    proc = sh(cmd)
    if proc.returncode:
        raise SystemExit(f"generating {kind} failed:\n{proc.stderr}")
    os.replace(tmp, dest)
    print(f"generated {dest.name} in {time.monotonic() - t:.0f}s", flush=True)
    return dest


def timed(cmd: list[str]) -> tuple[float, int, subprocess.CompletedProcess]:
    """Wall time and peak RSS (kB) of a child process."""
    t = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - t
    out, err = proc.stdout.read(), proc.stderr.read()
    proc.returncode = os.waitstatus_to_exitcode(status)
    done = subprocess.CompletedProcess(cmd, proc.returncode, out, err)
    return wall, usage.ru_maxrss, done


# The cut is timed inside the child too, after its imports: in production it runs in a
# warm worker, where importing the app (Flask and all) is paid once, not per clip.
OUR_CUT = """
import json, sys, time
sys.path.insert(0, {root!r})
from app.media import cut
t = time.monotonic()
r = cut.cut({src!r}, {a}, {b}, {dest!r})
print(json.dumps({{"cut": time.monotonic() - t, "report": r.to_dict()}}, default=str))
"""

OUR_ENCODE = """
import sys, time
sys.path.insert(0, {root!r})
from app.media.cut import encode, plan
from app.media.cut.job import CutJob
job = CutJob({src!r}, {a}, {b}, {tmp!r}, None)
job.start_tc = None
m = job.master
pkts, eof = plan.scan(m, m.pts_of({a}), m.pts_of({b}))
wanted = [m.pts_of(i) for i in range({a}, {b})]
start = [p for p in pkts if p.key and p.pts <= wanted[0]][-1]
t = time.monotonic()
out = encode.encode_segment(job, start, wanted)
print(time.monotonic() - t, len(out))
"""


def our_cut(src: Path, a: int, b: int, dest: Path) -> tuple[float, float, int, dict]:
    """(cut seconds after imports, whole child process seconds, peak RSS kB, report)."""
    if dest.exists():
        dest.unlink()
    code = OUR_CUT.format(root=str(ROOT), src=str(src), a=a, b=b, dest=str(dest))
    wall, rss, proc = timed([PY, "-c", code])
    if proc.returncode:
        raise SystemExit(f"our cut failed:\n{proc.stderr}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return out["cut"], wall, rss, out["report"]


def median(values: list[float]) -> float:
    return statistics.median(values)


def frames_of(path: Path) -> int:
    proc = sh(
        [FFPROBE, "-v", "error", "-count_packets", "-select_streams", "v:0"]
        + ["-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", str(path)]
    )
    return int(proc.stdout.strip().split(",")[0])


def decode_ok(path: Path) -> bool:
    return sh([FFMPEG, "-nostdin", "-v", "error", "-i", str(path), "-f", "null", "-"]).stderr == ""


def bench_h264(
    minutes: float, skip_full: bool, skip_rival: bool, full_seconds: float, repeat: int
) -> dict:
    src = generate("h264", minutes)
    total = round(minutes * 60 * FPS)
    clip = min(60 * FPS, total - 100)
    a = total // 2 - clip // 2 + 13  # 13 frames past a keyframe (GOP 50)
    b = a + clip  # also 13 past one: not on a keyframe
    t_a, t_b = a / FPS, b / FPS
    res: dict = {"master": src.name, "master_frames": total, "in": a, "out": b}
    out_dir = OUT / "h264"
    out_dir.mkdir(exist_ok=True)

    # (a), (b) and (e) take turns, `repeat` times: on a shared machine the load changes
    # from one second to the next, and medians of interleaved runs compare fairly
    runs: dict[str, list[float]] = {k: [] for k in ("a", "a_proc", "a_rss", "b", "e", "e_proc")}
    dest_b = out_dir / "ffmpeg_copy.mp4"
    cmd_b = [FFMPEG, "-nostdin", "-v", "error", "-y", "-ss", f"{t_a}", "-to", f"{t_b}"]
    cmd_b += ["-i", str(src), "-map", "0:v", "-map", "0:a", "-c", "copy", str(dest_b)]
    tmp = out_dir / "enc100.mp4"
    code_e = OUR_ENCODE.format(root=str(ROOT), src=str(src), a=a, b=a + 100, tmp=str(tmp))
    for _ in range(repeat):
        cut_s, wall, rss, report = our_cut(src, a, b, out_dir / "ours.mp4")
        runs["a"].append(cut_s)
        runs["a_proc"].append(wall)
        runs["a_rss"].append(rss / 1024)
        runs["b"].append(timed(cmd_b)[0])
        wall, _, proc = timed([PY, "-c", code_e])
        if proc.returncode:
            raise SystemExit(f"encode-100 failed:\n{proc.stderr}")
        runs["e"].append(float(proc.stdout.split()[0]))
        runs["e_proc"].append(wall)
    res["runs"] = runs
    res["a_ours"] = median(runs["a"])
    res["a_process"] = median(runs["a_proc"])
    res["a_rss_mb"] = max(runs["a_rss"])
    res["a_report"] = report
    res["a_frames"] = frames_of(out_dir / "ours.mp4")
    res["a_decode_ok"] = decode_ok(out_dir / "ours.mp4")
    res["b_ffmpeg_copy"] = median(runs["b"])
    res["b_frames"] = frames_of(dest_b)
    res["e_encode100"] = median(runs["e"])
    res["e_encode100_process"] = median(runs["e_proc"])

    if not skip_full:
        # --full-seconds S: encode only the first S seconds of the clip and scale the
        # time to the whole clip (x264 medium runs at a constant speed on this content)
        part = (b - a) / FPS if not full_seconds else min(full_seconds, (b - a) / FPS)
        dest = out_dir / "full_reencode.mp4"
        cmd = [FFMPEG, "-nostdin", "-v", "error", "-y", "-ss", f"{t_a}", "-to", f"{t_a + part}"]
        cmd += ["-i", str(src), "-map", "0:v", "-map", "0:a", "-c:v", "libx264"]
        cmd += ["-preset", "medium", "-crf", "16", "-c:a", "aac", "-b:a", "192k", str(dest)]
        wall, _, _ = timed(cmd)
        res["c_full_reencode"] = wall * ((b - a) / FPS) / part
        res["c_measured_seconds"] = part
        res["c_measured_wall"] = wall

    if not skip_rival and SMARTCUT.exists():
        dest = out_dir / "smartcut.mp4"
        if dest.exists():
            dest.unlink()
        cmd = [str(SMARTCUT), str(src), str(dest), "--frames", "-k", f"{a},{b}"]
        wall, rss, proc = timed(cmd)
        res["d_smartcut"] = wall
        res["d_rss_mb"] = rss / 1024
        res["d_ok"] = proc.returncode == 0
        if proc.returncode == 0:
            res["d_frames"] = frames_of(dest)
            res["d_decode_ok"] = decode_ok(dest)
        else:
            res["d_error"] = proc.stderr[-500:]
    return res


def bench_aux(kind: str, minutes: float) -> dict:
    src = generate(kind, minutes)
    total = round(minutes * 60 * FPS)
    clip = min(60 * FPS, total - 100)
    a = total // 2 - clip // 2 + 5
    b = a + clip
    out_dir = OUT / kind
    out_dir.mkdir(exist_ok=True)
    ext = src.suffix
    cut_s, wall, rss, report = our_cut(src, a, b, out_dir / f"ours{ext}")
    res = {"master": src.name, "in": a, "out": b, "ours": cut_s, "ours_process": wall}
    res["rss_mb"] = rss / 1024
    res["method"] = report["method"]
    res["copied_frames"] = report["copied_frames"]
    res["reencoded_frames"] = report["reencoded_frames"]
    res["frames"] = frames_of(out_dir / f"ours{ext}")
    res["decode_ok"] = decode_ok(out_dir / f"ours{ext}")
    dest = out_dir / f"ffmpeg_copy{ext}"
    cmd = [FFMPEG, "-nostdin", "-v", "error", "-y", "-ss", f"{a / FPS}", "-to", f"{b / FPS}"]
    cmd += ["-i", str(src), "-map", "0:v", "-map", "0:a", "-c", "copy", str(dest)]
    res["ffmpeg_copy"], _, _ = timed(cmd)
    return res


def table(h: dict, aux: dict[str, dict]) -> str:
    a = h["a_ours"]
    lines = [
        f"master: {h['master']} ({h['master_frames']} frames); clip frames "
        f"[{h['in']}, {h['out']}) = {h['out'] - h['in']} frames",
        "",
        "| run | wall s | notes |",
        "| --- | ---: | --- |",
        f"| (a) our cut | {a:.2f} | child process incl. start-up {h['a_process']:.2f} s; "
        f"peak RSS {h['a_rss_mb']:.0f} MB; "
        f"{h['a_frames']} frames; copied {h['a_report']['copied_frames']}, re-encoded "
        f"{h['a_report']['reencoded_frames']}; clean decode: {h['a_decode_ok']} |",
        f"| (b) ffmpeg -ss/-to -c copy | {h['b_ffmpeg_copy']:.2f} | {h['b_frames']} frames "
        "(not frame-accurate) |",
    ]
    if "c_full_reencode" in h:
        note = ""
        if h["c_measured_seconds"] < (h["out"] - h["in"]) / FPS:
            note = (
                f"measured {h['c_measured_wall']:.2f} s on the first "
                f"{h['c_measured_seconds']:.0f} s of the clip, scaled to the clip"
            )
        lines.append(
            f"| (c) full re-encode x264 medium CRF 16 | {h['c_full_reencode']:.2f} | {note} |"
        )
    if "d_smartcut" in h:
        note = (
            f"{h.get('d_frames')} frames; peak RSS {h['d_rss_mb']:.0f} MB; clean decode: "
            f"{h.get('d_decode_ok')}"
            if h["d_ok"]
            else "failed"
        )
        lines.append(f"| (d) smartcut 1.7 CLI | {h['d_smartcut']:.2f} | {note} |")
    lines.append(
        f"| (e) decode+encode 100 frames, engine settings | {h['e_encode100']:.2f} | "
        f"child process incl. start-up {h['e_encode100_process']:.2f} s |"
    )
    lines += ["", "| ratio | value | target |", "| --- | ---: | --- |"]
    if "c_full_reencode" in h:
        lines.append(f"| c / a | {h['c_full_reencode'] / a:.1f} | >= 20 |")
    be = h["b_ffmpeg_copy"] + h["e_encode100"]
    lines.append(f"| a vs b + e | {a:.2f} vs {be:.2f} | a <= b + e |")
    be_proc = h["b_ffmpeg_copy"] + h["e_encode100_process"]
    lines.append(
        f"| the same, both with start-up | {h['a_process']:.2f} vs {be_proc:.2f} | (not a target) |"
    )
    if "d_smartcut" in h:
        lines.append(f"| a vs d | {a:.2f} vs {h['d_smartcut']:.2f} | a <= d |")
    lines.append(f"| peak RSS of a | {h['a_rss_mb']:.0f} MB | < 500 MB |")
    if aux:
        lines += ["", "| master | method | ours s (with start-up) | ffmpeg -c copy s | frames "
                  "| RSS MB |", "| --- | --- | ---: | ---: | ---: | ---: |"]  # fmt: skip
        for r in aux.values():
            lines.append(
                f"| {r['master']} | {r['method']} (copied {r['copied_frames']}, re-encoded "
                f"{r['reencoded_frames']}) | {r['ours']:.2f} ({r['ours_process']:.2f}) | "
                f"{r['ffmpeg_copy']:.2f} | {r['frames']} | {r['rss_mb']:.0f} |"
            )
    return "\n".join(lines)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--minutes", type=float, default=10.0, help="H.264 master length")
    p.add_argument("--aux-minutes", type=float, default=2.0, help="ProRes/MPEG-2 length")
    p.add_argument("--skip-full", action="store_true", help="skip (c), the slow one")
    p.add_argument(
        "--full-seconds",
        type=float,
        default=0,
        help="time (c) on this many seconds of the clip and scale to the clip (0: all)",
    )
    p.add_argument("--skip-rival", action="store_true", help="skip (d), smartcut")
    p.add_argument("--repeat", type=int, default=3, help="runs of (a), (b), (e); medians")
    p.add_argument("--skip-aux", action="store_true", help="skip ProRes and MPEG-2")
    p.add_argument("--generate-only", action="store_true")
    p.add_argument("--json", type=Path, help="also write the raw results here")
    args = p.parse_args()
    if args.generate_only:
        generate("h264", args.minutes)
        if not args.skip_aux:
            generate("prores", args.aux_minutes)
            generate("mpeg2", args.aux_minutes)
        return
    h = bench_h264(args.minutes, args.skip_full, args.skip_rival, args.full_seconds, args.repeat)
    aux: dict[str, dict] = {}
    if args.json:  # written now too: the auxiliary masters take minutes to generate
        args.json.write_text(json.dumps({"h264": h, "aux": aux}, indent=2, default=str))
    if not args.skip_aux:
        for kind in ("prores", "mpeg2"):
            aux[kind] = bench_aux(kind, args.aux_minutes)
    print(table(h, aux))
    if args.json:
        args.json.write_text(json.dumps({"h264": h, "aux": aux}, indent=2, default=str))


if __name__ == "__main__":
    main()
