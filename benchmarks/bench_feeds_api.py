"""Feeds and the API with 10,000 published videos, through gunicorn, against a bare route.

Newsroom systems poll: most of their requests should cost no rendering at all.

Scenarios (interleaved in five slices, so that the machine's other users weigh on all
alike), each with --concurrency client threads:

* bare        GET /_bench/bare: a route of the same app that returns "ok" (the ceiling)
* list        GET /videos?page=1..5: the list page a person sees (page cache off: every
              request queries and renders, as after each publication)
* feed        GET /feeds/videos.rss and /feeds/en/videos.rss: the MRSS feed, rendered
* feed-304    the same with the ETag of the last answer (If-None-Match): 304, nothing
              rendered
* api-search  GET /api/v1/videos?q=... over the 24 searches of bench_library.py, one
              client at a time, with a bearer token: its p95 against the site search's
* site-search GET /videos?q=... (the same searches, page cache off), one client

Several web processes need the shared cache (REDIS_URL), as in the README's recipe: an
ETag carries the listings' generation, which lives in the cache, so processes with a
cache each of their own give the same feed different ETags. Usage (fixtures are built
first if the database is empty)::

    REDIS_URL=redis://127.0.0.1:6379/14 .venv/bin/python benchmarks/bench_feeds_api.py
    REDIS_URL=redis://127.0.0.1:6379/14 .venv/bin/python benchmarks/bench_feeds_api.py \\
        --database postgresql+psycopg://postgres@127.0.0.1:5432/bench_library

The token's rate limit (API_RATE_LIMIT, 300 a minute) is lifted for the run: the
benchmark measures the search, not the limiter.

Results: printed, and written to benchmarks/out/library/feeds-api-<dialect>.json.
"""

import argparse
import http.client
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from bench_library import (  # noqa: E402  (the library benchmark's server and client)
    OUT,
    SEARCHES,
    Server,
    _summary,
    ensure_fixtures,
    load,
)

FEEDS = ["/feeds/videos.rss", "/feeds/en/videos.rss"]


def api_token(database):
    """A bearer token of a verified user who accepted the terms (made once per run)."""
    import config
    from app import create_app
    from app.api.tokens import create_token
    from app.clock import utcnow
    from app.extensions import db
    from app.models import User

    app = create_app(config.Config, SQLALCHEMY_DATABASE_URI=database)
    with app.app_context():
        user = db.session.execute(
            db.select(User).filter_by(email="bench@example.org")
        ).scalar_one_or_none()
        if user is None:
            user = User(
                email="bench@example.org",
                full_name="Bench",
                organisation="Bench",
                password_hash="!",
                verified_at=utcnow(),
                terms_accepted_at=utcnow(),
            )
            db.session.add(user)
            db.session.commit()
        return create_token(user, "bench")[1]


def etags(port, paths):
    found = {}
    for path in paths:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", path, headers={"Accept-Language": "fr"})
        response = conn.getresponse()
        response.read()
        conn.close()
        assert response.status == 200, (path, response.status)
        found[path] = response.getheader("ETag")
        assert found[path], f"{path} sends no ETag"
    return found


def conditional(port, etag_of, seconds, concurrency):
    """load() of each feed with its own If-None-Match: 304 expected."""
    return _merge(
        [
            load(port, [path], seconds / len(etag_of), concurrency, {"If-None-Match": tag}, 304)
            for path, tag in etag_of.items()
        ]
    )


def _merge(runs):
    return _summary(
        [ms for r in runs for ms in r["latencies"]],
        sum(r["errors"] for r in runs),
        sum(r["elapsed_s"] for r in runs),
    )


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
    if args.workers > 1 and not os.environ.get("REDIS_URL"):
        parser.error("several workers need REDIS_URL (see the usage above), or --workers 1")
    os.environ["API_RATE_LIMIT"] = "1000000 per minute"  # the servers inherit it
    OUT.mkdir(parents=True, exist_ok=True)
    ensure_fixtures(args.database, args.count)
    dialect = args.database.split(":")[0].split("+")[0]
    token = api_token(args.database)
    listing = [f"/videos?page={n}" for n in range(1, 6)]
    results = {}

    server = Server(args.database, args.workers, cache_seconds=0)
    try:
        load(server.port, ["/_bench/bare", *listing, *FEEDS], 2, args.concurrency)  # warm
        tags = etags(server.port, FEEDS)
        slices = 5
        parts = {"bare": [], "list": [], "feed": [], "feed-304": []}
        for _ in range(slices):
            share = args.seconds / slices
            parts["bare"].append(load(server.port, ["/_bench/bare"], share, args.concurrency))
            parts["list"].append(load(server.port, listing, share, args.concurrency))
            parts["feed"].append(load(server.port, FEEDS, share, args.concurrency))
            parts["feed-304"].append(conditional(server.port, tags, share, args.concurrency))
        for name, runs in parts.items():
            results[name] = _merge(runs)

        searches = [f"/videos?{q}" for q in SEARCHES]
        api = [f"/api/v1/videos?{q}" for q in SEARCHES]
        auth = {"Authorization": f"Bearer {token}"}
        load(server.port, api, 2, 1, auth)  # warm up
        both = {"site-search": [], "api-search": []}
        for _ in range(slices):
            share = args.seconds / slices
            both["site-search"].append(load(server.port, searches, share, 1))
            both["api-search"].append(load(server.port, api, share, 1, auth))
        for name, runs in both.items():
            results[name] = _merge(runs)
    finally:
        server.stop()

    bare = results["bare"]["rps"]
    print(f"\n{args.count} published videos, {dialect}, gunicorn --workers {args.workers}")
    print(f"{'scenario':<13}{'req/s':>9}{'/bare':>7}{'median ms':>11}{'p95 ms':>9}{'errors':>8}")
    for name, r in results.items():
        r["ratio_to_bare"] = r["rps"] / bare if bare else None
        print(
            f"{name:<13}{r['rps']:>9.1f}{r['ratio_to_bare']:>7.2f}"
            f"{r['median_ms']:>11.1f}{r['p95_ms']:>9.1f}{r['errors']:>8}"
        )
    ratios = {
        "feed_304_over_list_rps": results["feed-304"]["rps"] / results["list"]["rps"],
        "feed_304_over_feed_rps": results["feed-304"]["rps"] / results["feed"]["rps"],
        "api_p95_over_site_search_p95": results["api-search"]["p95_ms"]
        / results["site-search"]["p95_ms"],
    }
    for name, value in ratios.items():
        print(f"{name}: {value:.2f}")
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    results["ratios"] = ratios
    results["load_average"] = os.getloadavg()[0]
    for r in results.values():
        if isinstance(r, dict):
            r.pop("latencies", None)
    (OUT / f"feeds-api-{dialect}.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
