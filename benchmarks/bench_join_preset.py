"""Which encoder preset the smart cut's joins use: the fastest that keeps every frame
at or above 40 dB PSNR against the master.

For two 1080p25 masters, natural pictures (bench_cut_speed.py's pan across a
photograph) and a noisy test pattern (bench_smartcut.py's testsrc2 + noise), 37 frames
off a keyframe (a join's length) are decoded once to a lossless reference, then encoded
by libx264 and libx265 at CRF 16 with each preset, with the joins' GOP settings (one
closed GOP, fixed B-frames). Reported per preset: the lowest frame PSNR (Y, U and V
averaged, as FFmpeg's psnr filter gives it), the bit rate, and the encoding time (a
child ffmpeg's wall time, reading the lossless reference).

    .venv/bin/python benchmarks/bench_join_preset.py
"""

from __future__ import annotations

import re

import bench_cut_speed
import bench_smartcut
from bench_smartcut import FFMPEG, OUT, sh, timed

FRAMES = 37
PRESETS = {
    "libx264": ["veryfast", "superfast", "ultrafast"],
    "libx265": ["faster", "superfast", "ultrafast"],
}
PARAMS = {
    "libx264": ["-x264-params", f"keyint={FRAMES + 1}:min-keyint={FRAMES + 1}:scenecut=0:bframes=3"],
    "libx265": ["-x265-params",
                f"keyint={FRAMES + 1}:min-keyint={FRAMES + 1}:scenecut=0:bframes=4:log-level=error"],
}  # fmt: skip


def reference(src, first: int, dest) -> None:
    select = f"select=between(n\\,{first}\\,{first + FRAMES - 1}),setpts=N/25/TB"
    cmd = [FFMPEG, "-nostdin", "-v", "error", "-y", "-i", str(src), "-vf", select]
    cmd += ["-frames:v", str(FRAMES), "-an", "-c:v", "ffv1", str(dest)]
    if sh(cmd).returncode:
        raise SystemExit(f"no reference from {src}")


def min_psnr(encoded, ref) -> float:
    proc = sh([FFMPEG, "-nostdin", "-i", str(encoded), "-i", str(ref), "-lavfi",
               "[0:v][1:v]psnr", "-f", "null", "-"])  # fmt: skip
    return float(re.search(r"min:([0-9.]+|inf)", proc.stderr).group(1))


def main() -> None:
    work = OUT / "preset"
    work.mkdir(parents=True, exist_ok=True)
    masters = {
        "natural": bench_cut_speed.generate("1080p"),
        "noise": bench_smartcut.generate("h264", 0.5),
    }
    print("| pictures | encoder | preset | min PSNR dB | Mb/s | encode s |")
    print("|---|---|---|---:|---:|---:|")
    for kind, src in masters.items():
        ref = work / f"{kind}_ref.mkv"
        reference(src, 313, ref)
        for codec, presets in PRESETS.items():
            for preset in presets:
                out = work / f"{kind}_{codec}_{preset}.mkv"
                cmd = [FFMPEG, "-nostdin", "-v", "error", "-y", "-i", str(ref), "-c:v", codec]
                cmd += ["-preset", preset, "-crf", "16", *PARAMS[codec], str(out)]
                wall, _, proc = timed(cmd)
                if proc.returncode:
                    raise SystemExit(proc.stderr)
                rate = out.stat().st_size * 8 * 25 / FRAMES / 1e6
                print(f"| {kind} | {codec} | {preset} | {min_psnr(out, ref):.1f} | {rate:.0f} "
                      f"| {wall:.2f} |", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
