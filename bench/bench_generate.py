"""Benchmark: generate N demo employees into a fresh SQLite file (or any database URL) and time it.

    .venv/bin/python bench/bench_generate.py [--count 20000] [--url sqlite:////tmp/simasn-bench.sqlite]
                                             [--workers 0|1|2] [--chunk-size 5000]

The file is deleted and recreated; for PostgreSQL use bench_employees.py, which also times searches.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app.demo.generator import CHUNK_SIZE, generate_employees  # noqa: E402
from app.extensions import make_engine  # noqa: E402
from app.models import Base  # noqa: E402
from app.services.organization import load_org_tree  # noqa: E402
from app.services.reference import load_reference  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="sqlite:////tmp/simasn-bench.sqlite")
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workers", type=int, default=None, help="builder processes (default: automatic)")
    parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE)
    args = parser.parse_args()
    url = make_url(args.url)
    if url.get_backend_name() == "sqlite" and url.database:
        Path(url.database).unlink(missing_ok=True)
    engine = make_engine(args.url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        load_reference(session)
        load_org_tree(session)
        session.commit()
    started = time.perf_counter()
    summary = generate_employees(engine, count=args.count, seed=args.seed, workers=args.workers,
                                 chunk_size=args.chunk_size)
    elapsed = time.perf_counter() - started
    print(f"{args.count} pegawai dalam {elapsed:.1f} s ({args.count / elapsed:.0f} pegawai/s; "
          f"menulis {summary['store_seconds']} s)")
    print(f"Baris: {summary['rows']} — total {sum(summary['rows'].values())}")


if __name__ == "__main__":
    main()
