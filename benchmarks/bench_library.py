"""Library pages with 10,000 published videos, through gunicorn, against a bare route.

Scenarios, each for --seconds with --concurrency client threads (new connection per
request, as gunicorn's sync workers close them):

* bare        GET /_bench/bare: a route of the same app that returns "ok" (the ceiling)
* list        GET /videos?page=1..5, the listing as visitors get it (fragment cache on);
              bare and list take turns, five slices each, so that the other users of
              the machine weigh on both alike
* list-cold   the same with LIBRARY_CACHE_SECONDS=0: every request queries and renders
              the page (the cards still come from the card cache, as in production)
* search      GET /videos?q=... over 24 queries in both languages, page cache off, with
              filters and both sorts: the latency that matters for search (one client,
              then --concurrency clients)
* search-nocache the same, one client, card cache off too: every card is rendered
* search-query the same 24 searches run in-process, one at a time, without HTTP: the
              time spent in the database and the ORM

Usage (fixtures are built first if the database is empty)::

    .venv/bin/python benchmarks/bench_library.py
    .venv/bin/python benchmarks/bench_library.py \
        --database postgresql+psycopg://postgres@127.0.0.1:5432/bench_library

Results: printed, and written to benchmarks/out/library/results-<dialect>.json.
"""

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out" / "library"
sys.path.insert(0, str(ROOT))

SEARCHES = [
    "q=d%C3%A9fense",
    "q=defense&sort=date",
    "q=ministre+budget",
    "q=ministers",
    "q=glacier",
    "q=sommet+europ%C3%A9en",
    "q=summit&from=2024-01-01&to=2024-12-31",
    "q=gr%C3%A8ve&tag=Soci%C3%A9t%C3%A9",
    "q=football&location=Lyon",
    "q=inondation",
    "q=floods&sort=date",
    "q=h%C3%B4pital",
    "q=hospital+vaccine",
    "q=election+president",
    "q=%C3%A9lection",
    "q=police&tag=Justice",
    "q=train",
    "q=harvest+farmers",
    "q=r%C3%A9forme+retraite",
    "q=migrants",
    "q=festival&sort=date",
    "q=conference+press",
    "q=march%C3%A9",
    "q=energy&location=Paris",
]


def wsgi_app():
    """gunicorn 'bench_library:wsgi_app()': the real app plus a bare route."""
    import config
    from app import create_app

    app = create_app(config.Config)
    if os.environ.get("BENCH_LIBRARY_CACHE_SECONDS") is not None:
        app.config["LIBRARY_CACHE_SECONDS"] = float(os.environ["BENCH_LIBRARY_CACHE_SECONDS"])
    if os.environ.get("BENCH_LIBRARY_CARD_CACHE_SECONDS") is not None:
        seconds = float(os.environ["BENCH_LIBRARY_CARD_CACHE_SECONDS"])
        app.config["LIBRARY_CARD_CACHE_SECONDS"] = seconds

    @app.get("/_bench/bare")
    def bench_bare():
        return "ok"

    return app


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/_bench/bare")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


class Server:
    def __init__(self, database, workers, cache_seconds=None, card_cache_seconds=None):
        self.port = _free_port()
        env = dict(os.environ, DATABASE_URL=database, PYTHONPATH=str(ROOT))
        env["RUSHES_INSTANCE"] = str(OUT / "instance")
        if cache_seconds is not None:
            env["BENCH_LIBRARY_CACHE_SECONDS"] = str(cache_seconds)
        if card_cache_seconds is not None:
            env["BENCH_LIBRARY_CARD_CACHE_SECONDS"] = str(card_cache_seconds)
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),  # the venv running this script
                "--chdir",
                str(HERE),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--log-level",
                "warning",
                "bench_library:wsgi_app()",
            ],
            env=env,
        )
        _wait_for(self.port)

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(30)


def load(port, paths, seconds, concurrency, headers=None, expect=200):
    """Requests per second and latencies (ms) of GETs over `paths`, round robin, with
    `headers` (besides Accept-Language: fr); an answer other than `expect` is an error."""
    sent = {"Accept-Language": "fr", **(headers or {})}
    latencies, errors = [], []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker(offset):
        mine, i = [], offset
        while time.monotonic() < stop_at:
            path = paths[i % len(paths)]
            i += 1
            start = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("GET", path, headers=sent)
                response = conn.getresponse()
                response.read()
                conn.close()
                if response.status != expect:
                    errors.append((path, response.status))
                    continue
            except OSError as exc:
                errors.append((path, str(exc)))
                continue
            mine.append((time.perf_counter() - start) * 1000)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    return _summary(latencies, len(errors), elapsed)


def _summary(latencies, errors, elapsed):
    latencies = sorted(latencies)
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / elapsed,
        "median_ms": statistics.median(latencies) if latencies else None,
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1] if latencies else None,
        "elapsed_s": elapsed,
        "latencies": latencies,
    }


def interleaved(port, scenarios, seconds, concurrency, slices=5):
    """load() of each scenario in turn, in `slices` rounds of seconds/slices each.

    The machine is shared: a burst of someone else's work during one 10-second window
    would move a ratio between two scenarios measured one after the other. Taking turns
    spreads such bursts over all of them.
    """
    parts = {name: [] for name in scenarios}
    for _ in range(slices):
        for name, paths in scenarios.items():
            parts[name].append(load(port, paths, seconds / slices, concurrency))
    return {
        name: _summary(
            [ms for r in runs for ms in r["latencies"]],
            sum(r["errors"] for r in runs),
            sum(r["elapsed_s"] for r in runs),
        )
        for name, runs in parts.items()
    }


def in_process(database, rounds=5):
    """Latency of the search itself (filters, count, page of ids, rows), without HTTP.

    Each of SEARCHES runs `rounds` times in this process, one at a time: what a request
    spends in the database and the ORM, free of the HTTP client and server noise.
    """
    from urllib.parse import parse_qs

    from werkzeug.datastructures import MultiDict

    import config
    from app import create_app
    from app.library.listing import list_videos, load_videos, parse_filters

    app = create_app(config.Config, SQLALCHEMY_DATABASE_URI=database)
    timings, cpu = [], []
    with app.test_request_context():
        for query in SEARCHES:
            filters = parse_filters(
                MultiDict([(k, v) for k, vs in parse_qs(query).items() for v in vs])
            )
            load_videos(list_videos(filters, 24).items)  # warm
            for _ in range(rounds):
                start, start_cpu = time.perf_counter(), time.process_time()
                load_videos(list_videos(filters, 24).items)
                timings.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
    timings.sort()
    cpu.sort()
    return {
        "requests": len(timings),
        "errors": 0,
        "rps": 1000 / statistics.mean(timings),
        "median_ms": statistics.median(timings),
        "p95_ms": timings[int(len(timings) * 0.95) - 1],
        # CPU time of this process: on a busy machine, what the search costs by itself
        # (all of it with SQLite; PostgreSQL's own work is in its server process).
        "cpu_median_ms": statistics.median(cpu),
        "cpu_p95_ms": cpu[int(len(cpu) * 0.95) - 1],
    }


def ensure_fixtures(database, count):
    import sqlalchemy

    engine = sqlalchemy.create_engine(database)
    try:
        with engine.connect() as conn:
            have = conn.execute(sqlalchemy.text("SELECT count(*) FROM videos")).scalar()
    except Exception:
        have = 0
    engine.dispose()
    if have != count:
        from make_fixtures import build

        print(f"building {count} videos in {database} ...", flush=True)
        build(database, count)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database", default=f"sqlite:///{OUT / 'library.db'}", help="SQLAlchemy URL"
    )
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(HERE))
    ensure_fixtures(args.database, args.count)
    dialect = args.database.split(":")[0].split("+")[0]
    results = {}
    listing = [f"/videos?page={n}" for n in range(1, 6)]

    server = Server(args.database, args.workers)
    try:
        load(server.port, ["/_bench/bare", *listing], 2, args.concurrency)  # warm up
        results.update(
            interleaved(
                server.port,
                {"bare": ["/_bench/bare"], "list": listing},
                args.seconds,
                args.concurrency,
            )
        )
    finally:
        server.stop()
    server = Server(args.database, args.workers, cache_seconds=0)
    try:
        searches = [f"/videos?{q}" for q in SEARCHES]
        load(server.port, searches, 2, args.concurrency)  # warm up
        results["list-cold"] = load(server.port, listing, args.seconds, args.concurrency)
        # Latency of one search at a time, then under load.
        results["search"] = load(server.port, searches, args.seconds, 1)
        results["search-loaded"] = load(server.port, searches, args.seconds, args.concurrency)
    finally:
        server.stop()
    server = Server(args.database, args.workers, cache_seconds=0, card_cache_seconds=0)
    try:
        load(server.port, searches, 2, 1)  # warm up
        results["search-nocache"] = load(server.port, searches, args.seconds, 1)
    finally:
        server.stop()
    results["search-query"] = in_process(args.database)

    bare = results["bare"]["rps"]
    print(f"\n{args.count} published videos, {dialect}, gunicorn --workers {args.workers}")
    print(f"{'scenario':<16}{'req/s':>9}{'ratio':>8}{'median ms':>11}{'p95 ms':>9}{'errors':>8}")
    for name, r in results.items():
        r["ratio_to_bare"] = r["rps"] / bare if bare else None
        print(
            f"{name:<16}{r['rps']:>9.1f}{r['ratio_to_bare']:>8.2f}"
            f"{r['median_ms']:>11.1f}{r['p95_ms']:>9.1f}{r['errors']:>8}"
        )
    q = results["search-query"]
    print(
        f"search-query CPU time: median {q['cpu_median_ms']:.1f} ms, p95 {q['cpu_p95_ms']:.1f} ms"
    )
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    results["load_average"] = os.getloadavg()[0]
    for r in results.values():
        if isinstance(r, dict):
            r.pop("latencies", None)
    (OUT / f"results-{dialect}.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
