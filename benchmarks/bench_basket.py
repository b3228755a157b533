"""A 2 GB basket downloaded as one streamed ZIP, against reading its files and against a
plain full download of one of them (gunicorn on loopback).

Four published videos whose masters are --size-mb / 4 each, one verified user whose
basket holds the four masters. Each round (best of --runs, rounds interleaved so that a
busy moment of the machine weighs on all three alike):

* read     the four files read in 256 KiB blocks by this process (the page cache's
           ceiling for the same bytes)
* full     curl of one master through the real download route (/videos/1/download/original),
           scaled to MB/s
* zip      curl of /basket/download.zip: the STORED ZIP of the four masters and its
           manifests, streamed by the app as it is built

Then one ZIP download rate-limited by curl so that it lasts --hold seconds, while the RSS
of the gunicorn worker is sampled: memory must stay flat (nothing of the archive is kept).

    .venv/bin/python benchmarks/bench_basket.py                 # 2 GiB basket
    .venv/bin/python benchmarks/bench_basket.py --size-mb 512 --runs 2

Results: printed and written to benchmarks/out/basket/results.json.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bench_download import _free_port, curl, rss_kib, start_gunicorn, worker_pid

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out" / "basket"
MEDIA = OUT / "media"
SECRET = "bench-basket-secret-not-for-production"  # noqa: S105
VIDEOS = 4
sys.path.insert(0, str(ROOT))


def make_files(size_mb):
    each = size_mb // VIDEOS
    paths = []
    block = os.urandom(1024 * 1024)
    for n in range(1, VIDEOS + 1):
        path = MEDIA / "videos" / str(n) / "master.mov"
        paths.append(path)
        if path.exists() and path.stat().st_size == each * 1024 * 1024:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as f:
            for _ in range(each):
                f.write(block)
    return paths


def make_database(database, paths):
    """Four published videos, a verified user whose basket holds their masters; a cookie."""
    from datetime import date

    import config
    from app import create_app
    from app.clock import utcnow
    from app.extensions import db
    from app.models import Basket, BasketItem, User, Video, VideoText

    app = create_app(
        config.Config, SQLALCHEMY_DATABASE_URI=database, MEDIA_ROOT=str(MEDIA), SECRET_KEY=SECRET
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        user = User(
            email="bench@example.org",
            full_name="Bench",
            password_hash="x",
            verified_at=utcnow(),
            terms_accepted_at=utcnow(),
        )
        db.session.add(user)
        for n, path in enumerate(paths, start=1):
            video = Video(
                id=n,
                slug=f"bench-{n}",
                status="ready",
                published=True,
                published_at=utcnow(),
                recorded_on=date(2026, 3, n),
                master_path=f"videos/{n}/master.mov",
                master_size=path.stat().st_size,
                original_filename="master.mov",
            )
            video.texts = [VideoText(lang="fr", title=f"Banc d'essai {n}")]
            db.session.add(video)
        db.session.flush()
        basket = Basket(user_id=user.id, name="bench")
        basket.items = [
            BasketItem(kind="master", video_id=n, position=n) for n in range(1, VIDEOS + 1)
        ]
        db.session.add(basket)
        db.session.commit()
        cookie = app.session_interface.get_signing_serializer(app).dumps(
            {"_user_id": user.session_token, "_fresh": True}
        )
        db.engine.dispose()
    return f"session={cookie}"


def read_files(paths):
    """MB/s of reading the files in the blocks the app sends them in."""
    total = 0
    started = time.perf_counter()
    for path in paths:
        with open(path, "rb") as f:
            while block := f.read(256 * 1024):
                total += len(block)
    return total / (time.perf_counter() - started) / 1e6


def get(url, cookie):
    code, size, seconds = curl(url, cookie)
    if code != 200:
        raise RuntimeError(f"{url}: HTTP {code}")
    return size, size / seconds / 1e6


def memory_during(url, cookie, pid, size, hold):
    """RSS of the worker (KiB) sampled while one rate-limited ZIP download runs."""
    rate = max(1, int(size / 1024 / 1024 / hold))
    samples = []
    before = rss_kib(pid)
    client = subprocess.Popen(
        ["curl", "-s", "-o", "/dev/null", "--limit-rate", f"{rate}M", "-H", f"Cookie: {cookie}", url]
    )  # fmt: skip
    while client.poll() is None:
        samples.append(rss_kib(pid))
        time.sleep(0.25)
    return {"before": before, "max_during": max(samples or [before]), "after": rss_kib(pid)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=2048, help="basket size in MiB")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--hold", type=float, default=20, help="seconds of the memory run")
    parser.add_argument("--database", default=f"sqlite:///{OUT / 'basket.db'}")
    args = parser.parse_args()

    OUT.mkdir(parents=True, exist_ok=True)
    paths = make_files(args.size_mb)
    basket_bytes = sum(p.stat().st_size for p in paths)
    cookie = make_database(args.database, paths)
    read_files(paths)  # into the page cache

    port = _free_port()
    app = start_gunicorn(port, args.database, False, 4, media=MEDIA, secret=SECRET, out=OUT)
    base = f"http://127.0.0.1:{port}"
    speeds = {"read": [], "full": [], "zip": []}
    try:
        get(f"{base}/videos/1/download/original", cookie)  # the worker's first request
        for _ in range(args.runs):
            speeds["read"].append(read_files(paths))
            speeds["full"].append(get(f"{base}/videos/1/download/original", cookie)[1])
            zip_size, zip_speed = get(f"{base}/basket/download.zip", cookie)
            speeds["zip"].append(zip_speed)
        memory = memory_during(
            f"{base}/basket/download.zip", cookie, worker_pid(app.pid), zip_size, args.hold
        )
    finally:
        app.send_signal(signal.SIGTERM)
        app.wait(30)

    best = {name: max(values) for name, values in speeds.items()}
    results = {
        "basket_bytes": basket_bytes,
        "zip_bytes": zip_size,
        "throughput_MBps": {name: {"best": best[name], "runs": speeds[name]} for name in speeds},
        "ratio_zip_to_read": best["zip"] / best["read"],
        "ratio_zip_to_full": best["zip"] / best["full"],
        "memory_kib": memory | {"growth_max": memory["max_during"] - memory["before"]},
        "load_average": os.getloadavg(),
    }
    print(f"\n{basket_bytes / 2**30:.2f} GiB basket of {VIDEOS} files, best of {args.runs}")
    print(f"read the files   {best['read']:8.0f} MB/s   1.00")
    print(f"full download    {best['full']:8.0f} MB/s   {best['full'] / best['read']:.2f}")
    print(f"basket ZIP       {best['zip']:8.0f} MB/s   {results['ratio_zip_to_read']:.2f}")
    print(f"ZIP / full download: {results['ratio_zip_to_full']:.2f}")
    print(
        f"ZIP at {args.hold:.0f} s: worker RSS {memory['before'] / 1024:.1f} MiB before, "
        f"{memory['max_during'] / 1024:.1f} MiB max, {memory['after'] / 1024:.1f} MiB after"
    )
    (OUT / "results.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
