"""The filters' counts per value (app/library/facets.py) at 10,000 videos, in process,
against the listing query of the same search in the same run.

    .venv/bin/python benchmarks/bench_facets.py
    .venv/bin/python benchmarks/bench_facets.py \\
        --database postgresql+psycopg://postgres@127.0.0.1:5432/bench_library
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from bench_library import OUT, SEARCHES, ensure_fixtures  # noqa: E402


def _ms(fn, rounds):
    fn()  # warm
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=f"sqlite:///{OUT / 'library.db'}")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    ensure_fixtures(args.database, 10_000)

    from urllib.parse import parse_qs

    from werkzeug.datastructures import MultiDict

    import config
    from app import create_app
    from app.library import facets
    from app.library.listing import list_videos, parse_filters

    app = create_app(config.Config, SQLALCHEMY_DATABASE_URI=args.database)
    listing, counting = [], []
    with app.test_request_context():
        for query in ["", *SEARCHES]:
            pairs = [(k, v) for k, vs in parse_qs(query).items() for v in vs]
            filters = parse_filters(MultiDict(pairs))
            listing.append(_ms(lambda f=filters: list_videos(f, 24), args.rounds))
            counting.append(
                _ms(
                    lambda f=filters: (facets.tag_counts(f), facets.place_counts(f, "fr")),
                    args.rounds,
                )
            )
    print(f"{args.database.split(':')[0]}: {len(listing)} searches, median of medians")
    print(f"listing query   {statistics.median(listing):6.1f} ms")
    print(f"facet counts    {statistics.median(counting):6.1f} ms")
    print(f"ratio           {statistics.median(counting) / statistics.median(listing):6.2f}")


if __name__ == "__main__":
    main()
