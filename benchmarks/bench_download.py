"""A 2 GB full download through gunicorn against nginx serving the same file (loopback).

Three ways to get the same file, each timed with curl (-o /dev/null), best of --runs:

* nginx       nginx serves the file itself (sendfile): the ceiling
* app         gunicorn (gthread) runs the real download route: login check, usage terms,
              send_media() streaming the file in 256 KiB blocks, the download log
* x-accel     nginx in front of gunicorn started with X_ACCEL_REDIRECT=1: the app only
              authorises and logs, nginx sends the bytes

Then --concurrent downloads (default 50) of the file at once through the app, rate-limited
by curl so that they overlap for --hold seconds, while the RSS of the gunicorn worker is
sampled: memory must stay flat (it does not grow with the number or size of downloads).

    .venv/bin/python benchmarks/bench_download.py            # 2 GiB file
    .venv/bin/python benchmarks/bench_download.py --size-mb 512 --runs 2

nginx (Debian's /usr/sbin/nginx) runs on loopback with a configuration generated into
benchmarks/out/download/nginx.conf. Results: printed and written to
benchmarks/out/download/results.json.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out" / "download"
MEDIA = OUT / "media"
SECRET = "bench-download-secret-not-for-production"  # noqa: S105
sys.path.insert(0, str(ROOT))

NGINX_CONF = """
worker_processes 1;
daemon off;
user root;
pid {out}/nginx.pid;
error_log {out}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    client_body_temp_path {out}/nginx-tmp/body;
    proxy_temp_path {out}/nginx-tmp/proxy;
    fastcgi_temp_path {out}/nginx-tmp/fastcgi;
    uwsgi_temp_path {out}/nginx-tmp/uwsgi;
    scgi_temp_path {out}/nginx-tmp/scgi;

    # nginx alone: the ceiling.
    server {{
        listen 127.0.0.1:{static_port};
        location /files/ {{ alias {media}/; }}
    }}

    # nginx in front of the app with X-Accel-Redirect (the README's configuration).
    server {{
        listen 127.0.0.1:{accel_port};
        location / {{
            proxy_pass http://127.0.0.1:{app_accel_port};
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
        location /_protected/ {{
            internal;
            alias {media}/;
        }}
    }}
}}
"""


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {port}")


def make_file(size_mb):
    path = MEDIA / "videos" / "1" / "master.mov"
    if path.exists() and path.stat().st_size == size_mb * 1024 * 1024:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    block = os.urandom(1024 * 1024)
    with open(path, "wb") as f:
        for _ in range(size_mb):
            f.write(block)
    return path


def make_database(database, size):
    """One published video whose master is the file, one verified user; a session cookie."""
    from datetime import date

    import config
    from app import create_app
    from app.clock import utcnow
    from app.extensions import db
    from app.models import User, Video, VideoText

    app = create_app(
        config.Config, SQLALCHEMY_DATABASE_URI=database, MEDIA_ROOT=str(MEDIA), SECRET_KEY=SECRET
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        video = Video(
            id=1,
            slug="bench",
            status="ready",
            published=True,
            published_at=utcnow(),
            recorded_on=date(2026, 3, 14),
            master_path="videos/1/master.mov",
            master_size=size,
            original_filename="master.mov",
        )
        video.texts = [VideoText(lang="fr", title="Banc d'essai")]
        user = User(
            email="bench@example.org",
            full_name="Bench",
            password_hash="x",
            verified_at=utcnow(),
            terms_accepted_at=utcnow(),
        )
        db.session.add_all([video, user])
        db.session.commit()
        token = user.session_token
        cookie = app.session_interface.get_signing_serializer(app).dumps(
            {"_user_id": token, "_fresh": True}
        )
        db.engine.dispose()
    return f"session={cookie}"


def count_log_rows(database):
    import sqlalchemy

    engine = sqlalchemy.create_engine(database)
    with engine.connect() as conn:
        rows = conn.execute(
            sqlalchemy.text("SELECT count(*), coalesce(sum(bytes_sent), 0) FROM downloads")
        ).one()
    engine.dispose()
    return rows


def start_gunicorn(port, database, accel, threads, media=MEDIA, secret=SECRET, out=OUT):
    env = dict(
        os.environ,
        DATABASE_URL=database,
        MEDIA_ROOT=str(media),
        SECRET_KEY=secret,
        RUSHES_INSTANCE=str(out / "instance"),
        X_ACCEL_REDIRECT="1" if accel else "0",
        PYTHONPATH=str(ROOT),
    )
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),  # the venv running this script
            "--chdir",
            str(ROOT),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--timeout",
            "300",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        env=env,
    )
    _wait_port(port)
    return process


def worker_pid(master_pid):
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    return int(children[0])


def rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def curl(url, cookie=None, extra=()):
    cmd = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download} %{time_total}"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*cmd, *extra, url], capture_output=True, text=True, check=True).stdout
    code, size, seconds = out.split()
    return int(code), int(size), float(seconds)


def best_of(runs, url, cookie, size):
    speeds = []
    for _ in range(runs):
        code, got, seconds = curl(url, cookie)
        if code != 200 or got != size:
            raise RuntimeError(f"{url}: HTTP {code}, {got} bytes instead of {size}")
        speeds.append(size / seconds / 1e6)
    return max(speeds), speeds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=2048, help="file size in MiB")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--concurrent", type=int, default=50)
    parser.add_argument("--hold", type=float, default=20, help="seconds of overlap")
    parser.add_argument("--database", default=f"sqlite:///{OUT / 'download.db'}")
    args = parser.parse_args()

    OUT.mkdir(parents=True, exist_ok=True)
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (OUT / "nginx-tmp" / sub).mkdir(parents=True, exist_ok=True)
    path = make_file(args.size_mb)
    size = path.stat().st_size
    cookie = make_database(args.database, size)
    subprocess.run(["cat", str(path)], stdout=subprocess.DEVNULL, check=True)  # page cache

    static_port, accel_port = _free_port(), _free_port()
    app_port, app_accel_port = _free_port(), _free_port()
    conf = OUT / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(
            out=OUT,
            media=MEDIA,
            static_port=static_port,
            accel_port=accel_port,
            app_accel_port=app_accel_port,
        )
    )
    nginx = subprocess.Popen(["/usr/sbin/nginx", "-p", str(OUT), "-c", str(conf)])
    app = start_gunicorn(app_port, args.database, accel=False, threads=args.concurrent + 4)
    app_accel = start_gunicorn(app_accel_port, args.database, accel=True, threads=8)
    results = {"size_bytes": size}
    try:
        _wait_port(static_port)
        _wait_port(accel_port)
        download = "/videos/1/download/original"
        urls = {
            "nginx": (f"http://127.0.0.1:{static_port}/files/videos/1/master.mov", None),
            "app": (f"http://127.0.0.1:{app_port}{download}", cookie),
            "x-accel": (f"http://127.0.0.1:{accel_port}{download}", cookie),
        }
        # Rounds interleave the three, so that a busy moment of the machine hits all alike.
        speeds = {name: [] for name in urls}
        for _ in range(args.runs):
            for name, (url, jar) in urls.items():
                speeds[name].append(best_of(1, url, jar, size)[0])
        nginx_best, nginx_all = max(speeds["nginx"]), speeds["nginx"]
        app_best, app_all = max(speeds["app"]), speeds["app"]
        accel_best, accel_all = max(speeds["x-accel"]), speeds["x-accel"]
        results["throughput_MBps"] = {
            "nginx": {"best": nginx_best, "runs": nginx_all},
            "app": {"best": app_best, "runs": app_all},
            "x-accel": {"best": accel_best, "runs": accel_all},
        }
        results["ratio_app_to_nginx"] = app_best / nginx_best
        results["ratio_xaccel_to_nginx"] = accel_best / nginx_best

        # Memory during concurrent downloads through the app.
        pid = worker_pid(app.pid)
        before = rss_kib(pid)
        samples = []
        url = f"http://127.0.0.1:{app_port}{download}"
        rate = max(1, int(size / 1024 / 1024 / args.hold / 4))  # none finishes early
        clients = [
            subprocess.Popen(
                [
                    "curl",
                    "-s",
                    "-o",
                    "/dev/null",
                    "--limit-rate",
                    f"{rate}M",
                    "--max-time",
                    str(args.hold),
                    "-H",
                    f"Cookie: {cookie}",
                    url,
                ]
            )  # fmt: skip
            for _ in range(args.concurrent)
        ]
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                samples.append(rss_kib(pid))
                time.sleep(0.25)

        sampler = threading.Thread(target=sample)
        sampler.start()
        for c in clients:
            c.wait()
        time.sleep(1.5)  # let the worker close the responses and write the log rows
        stop.set()
        sampler.join()
        after = rss_kib(pid)
        rows, logged = count_log_rows(args.database)
        results["memory_kib"] = {
            "concurrent": args.concurrent,
            "rate_per_client_MiBps": rate,
            "before": before,
            "max_during": max(samples),
            "after": after,
            "growth_max": max(samples) - before,
        }
        results["log"] = {"rows": rows, "bytes_sent_total": logged}
    finally:
        for process in (app, app_accel):
            process.send_signal(signal.SIGTERM)
            process.wait(30)
        nginx.send_signal(signal.SIGQUIT)
        nginx.wait(30)
        shutil.rmtree(OUT / "instance", ignore_errors=True)

    t = results["throughput_MBps"]
    m = results["memory_kib"]
    print(f"\n{size / 2**30:.2f} GiB file, best of {args.runs}, loopback")
    print(f"nginx alone      {t['nginx']['best']:8.0f} MB/s   1.00")
    print(f"app (gunicorn)   {t['app']['best']:8.0f} MB/s   {results['ratio_app_to_nginx']:.2f}")
    print(
        f"x-accel (nginx)  {t['x-accel']['best']:8.0f} MB/s   {results['ratio_xaccel_to_nginx']:.2f}"
    )
    print(
        f"{m['concurrent']} concurrent downloads: worker RSS {m['before'] / 1024:.1f} MiB before, "
        f"{m['max_during'] / 1024:.1f} MiB max, {m['after'] / 1024:.1f} MiB after"
    )
    print(
        f"download log: {results['log']['rows']} rows, {results['log']['bytes_sent_total']} bytes"
    )
    (OUT / "results.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
