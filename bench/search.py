"""Search alone, over HTTP: the 30 queries of against_floor.py, each followed by a bare
logged-in page (/profile/) of the same run, on a database that already holds the O*NET
organisation (e.g. the one `bench/scale.py --against-floor` leaves behind).

    .venv/bin/python bench/search.py [--database-url URL] [--rounds 3]

Prints p50/p95 of the search page and of live search beside the bare page's p50: read
the ratios when the machine is not quiet. Data: "Contains information from O*NET 26.3
Database by the U.S. Department of Labor, Employment and Training Administration
(USDOL/ETA), used under the CC BY 4.0 license."
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import urllib.parse
from pathlib import Path

import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent))

import against_floor as af


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/orgmap_bench")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/3")
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/4")
    parser.add_argument("--port", type=int, default=8411)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    args.workers, args.threads = 3, 2  # only without gunicorn.conf.py
    bench = af.Bench(args)
    (bench.tmp / "data").mkdir()
    bench.manage("migrate", "--verbosity", "0")
    bench.manage("collectstatic", "--noinput", "--verbosity", "0")
    bench.connection = psycopg2.connect(bench.url)
    bench.connection.autocommit = True
    bench.analyse()
    with contextlib.suppress(SystemExit):  # there already
        bench.manage(
            "createsuperuser", "--noinput", "--username", af.ADMIN[0], "--email", "b@x.org"
        )
    bench.start_server()
    try:
        session = af.Session(bench.port)
        session.login(*af.ADMIN)
        for query in af.SEARCH_QUERIES:  # warm the workers
            af.timed_get(session, "/search/?q=" + urllib.parse.quote(query))
        for label, suffix, headers in (
            ("search page", "", {}),
            ("live search", "&live=1", {"HX-Request": "true"}),
        ):
            samples, bare = [], []
            for _round in range(args.rounds):
                for query in af.SEARCH_QUERIES:
                    path = "/search/?q=" + urllib.parse.quote(query) + suffix
                    samples.append(af.timed_get(session, path, headers))
                    bare.append(af.timed_get(session, "/profile/"))
            print(
                f"{label}: p50 {_percentile(samples, 0.5):.1f} ms, "
                f"p95 {_percentile(samples, 0.95):.1f} ms; "
                f"bare page p50 {_percentile(bare, 0.5):.1f} ms (n={len(samples)})"
            )
    finally:
        bench.stop_server()


if __name__ == "__main__":
    main()
