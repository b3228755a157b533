"""What a user waits for: from the POST of a clip to the status saying "done", with the real worker.

The site runs in this process (Flask's test client: the same routes, CSRF and session as
in a browser), the worker is `flask rushes worker` in a child process, and they share a
SQLite database and the SQLite job queue, as `make run` does. The page polls the status
every 250 ms, as the clip editor does. Each round waits --idle seconds first (an idle
worker polls the SQLite queue less and less often), then asks for a new clip (a new
selection, so nothing is cached) of a 1080p25 H.264 long-GOP master (bench_smartcut's,
generated once into benchmarks/out/).

Two workers take turns, in the same run: one with huey's default backoff (an idle
worker looks at the queue at most every 10 s) and one with Rushes' setting
(WORKER_MAX_DELAY, 0.25 s). For each round: the wait the user sees (POST → done), the
engine's own time (the cut's report, `timings.total`), the worker's pick-up delay
(started_at - queued_at), and the progress values the page saw.

    .venv/bin/python benchmarks/bench_clip_latency.py                  # 3 rounds each, idle 12 s
    .venv/bin/python benchmarks/bench_clip_latency.py --rounds 2 --idle 5
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out" / "latency"
SECRET = "bench-latency-secret-not-for-production-use"  # noqa: S105
POLL = 0.25  # the clip editor's interval (static/js/clip-editor.js)

# config reads these when it is imported: the site here and the worker share them.
os.environ.update(
    RUSHES_INSTANCE=str(OUT / "instance"),
    DATABASE_URL=f"sqlite:///{OUT / 'instance' / 'rushes.db'}",
    MEDIA_ROOT=str(OUT / "media"),
    SECRET_KEY=SECRET,
)
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import bench_smartcut  # noqa: E402  (its master, generated once)

import config  # noqa: E402
from app import create_app  # noqa: E402
from app.clock import utcnow  # noqa: E402
from app.extensions import db  # noqa: E402
from app.ingest import service as ingest  # noqa: E402
from app.models import Clip, ClipRequest, User, Video, VideoText  # noqa: E402

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def make_site(master: Path):
    """A fresh database with one published video (the probed master) and one verified user."""
    shutil.rmtree(OUT / "instance", ignore_errors=True)
    shutil.rmtree(OUT / "media", ignore_errors=True)
    (OUT / "instance").mkdir(parents=True)
    dest = OUT / "media" / "masters" / master.name
    dest.parent.mkdir(parents=True)
    try:
        os.link(master, dest)
    except OSError:
        shutil.copy(master, dest)
    app = create_app(config.Config)
    with app.app_context():
        db.create_all()
        video = Video(slug="latency", status="ready", published=True, published_at=utcnow())
        ingest.apply_probe(video, ingest.check_is_video(dest))
        video.master_path = f"masters/{master.name}"
        video.original_filename = master.name
        video.master_size = dest.stat().st_size
        video.texts = [VideoText(lang="en", title="Latency")]
        user = User(
            email="latency@example.org",
            full_name="Latency",
            password_hash="x",
            verified_at=utcnow(),
            terms_accepted_at=utcnow(),
            language="en",
        )
        db.session.add_all([video, user])
        db.session.commit()
        return app, video.id, video.frame_count, user.session_token


def start_worker(max_delay: float) -> subprocess.Popen:
    env = dict(os.environ, WORKER_MAX_DELAY=str(max_delay), PYTHONPATH=str(ROOT))
    flask = str(Path(sys.executable).parent / "flask")
    log = open(OUT / f"worker-{max_delay:g}.log", "w")  # noqa: SIM115  (the child owns it)
    return subprocess.Popen(
        [flask, "--app", "wsgi", "rushes", "worker", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def one_clip(app, client, video_id: int, in_frame: int, out_frame: int) -> dict:
    html = client.get(f"/videos/{video_id}", follow_redirects=True).get_data(as_text=True)
    csrf = CSRF_RE.search(html).group(1)
    t0 = time.monotonic()
    answer = client.post(
        f"/videos/{video_id}/clips",
        json={"in_frame": in_frame, "out_frame": out_frame},
        headers={"X-CSRFToken": csrf, "Accept": "application/json"},
    )
    if answer.status_code != 202:
        raise RuntimeError(f"POST answered {answer.status_code}: {answer.get_data(as_text=True)}")
    status_url = answer.get_json()["status_url"]
    seen = []
    while True:
        state = client.get(status_url).get_json()
        if state["status"] in ("done", "failed"):
            break
        if not seen or seen[-1][1] != state["progress"]:
            seen.append((round(time.monotonic() - t0, 2), state["progress"]))
        time.sleep(POLL)
    waited = time.monotonic() - t0
    if state["status"] != "done":
        raise RuntimeError(f"the clip failed: {state.get('error')}")
    with app.app_context():
        clip = db.session.get(ClipRequest, answer.get_json()["id"]).clip
        clip = db.session.get(Clip, clip.id)
        engine = clip.report["timings"]["total"]
        pickup = (clip.started_at - clip.queued_at).total_seconds()
    return {
        "waited": round(waited, 3),
        "engine": engine,
        "pickup": round(pickup, 3),
        "after_engine": round(waited - engine, 3),
        "progress": seen,  # (seconds after the POST, value) at each change
    }


def run_worker(app, video_id, frames, session_token, max_delay, rounds, idle, clip_frames, base):
    worker = start_worker(max_delay)
    results = []
    try:
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = session_token
            session["_fresh"] = True
        time.sleep(3)  # the worker's start-up and its periodic tasks' first round
        for i in range(rounds):
            time.sleep(idle)
            a = (base + 97 * i) % (frames - clip_frames - 20) + 13  # off keyframe, never cached
            results.append(one_clip(app, client, video_id, a, a + clip_frames))
            print(f"  max_delay {max_delay:g}s round {i + 1}: {results[-1]}", flush=True)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    return results


def summary(name: str, rows: list[dict]) -> dict:
    med = {k: statistics.median(r[k] for r in rows) for k in ("waited", "engine", "pickup")}
    med["after_engine"] = round(med["waited"] - med["engine"], 3)
    med["ratio"] = round(med["waited"] / med["engine"], 2)
    print(
        f"{name:28} waited {med['waited']:6.2f} s  engine {med['engine']:6.2f} s  "
        f"pick-up {med['pickup']:5.2f} s  waited - engine {med['after_engine']:5.2f} s  "
        f"ratio {med['ratio']:.2f}"
    )
    return med


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rounds", type=int, default=3, help="clips per worker setting")
    p.add_argument("--idle", type=float, default=12.0, help="seconds idle before each POST")
    p.add_argument("--clip-seconds", type=float, default=10.0)
    p.add_argument("--minutes", type=float, default=1.0, help="master length")
    args = p.parse_args()

    master = bench_smartcut.generate("h264", args.minutes)
    app, video_id, frames, token = make_site(master)
    clip_frames = round(args.clip_seconds * 25)
    print(f"master {master.name}: {frames} frames; clips of {clip_frames} frames")
    settings = {"huey default (10 s)": 10.0, "Rushes (0.25 s)": 0.25}
    raw = {name: [] for name in settings}
    for turn in range(2):  # take turns, so a noisy minute does not favour one side
        for k, (name, delay) in enumerate(settings.items()):
            base = 1000 * turn + 500 * k
            raw[name] += run_worker(
                app, video_id, frames, token, delay, args.rounds, args.idle, clip_frames, base
            )
    print(f"\nmedians of {2 * args.rounds} clips each, load average {os.getloadavg()[0]:.1f}:")
    results = {name: {"median": summary(name, rows), "rounds": rows} for name, rows in raw.items()}
    (OUT / "results.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
