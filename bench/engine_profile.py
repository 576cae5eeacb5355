"""CPU per case of bench.engine's chain: `python -m bench.engine_profile [--cases N] [--profile]`.

Runs `bench.engine.one_case` in this process on a fresh SQLite (or `--database URL`)
database: 50 warm-up cases, then five runs of N cases, and prints the median CPU time per
case (process time: steadier than wall time on a shared machine) and cases per second.
With `--profile`, one more run under cProfile prints the functions by own time and by
cumulative time. Compare two commits by running it alternately from two worktrees.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import tempfile
import time
from pathlib import Path

from bench.engine import fresh_database, one_case, warmed_engine


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cases", type=int, default=400, help="cases per run (five runs)")
    parser.add_argument("--database", help="PostgreSQL URL to spend (default: SQLite WAL)")
    parser.add_argument("--profile", action="store_true", help="also print a cProfile run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = fresh_database(args.database, Path(folder))
        try:
            wf = warmed_engine(db)
            cpu, rates = [], []
            for run in range(5):
                started, wall = time.process_time(), time.perf_counter()
                for index in range(args.cases):
                    one_case(wf, 10_000 * (run + 1) + index)
                cpu.append((time.process_time() - started) / args.cases * 1000)
                rates.append(args.cases / (time.perf_counter() - wall))
            print(f"cpu_ms_per_case: {statistics.median(cpu):.3f}")
            print(f"cases_per_s: {statistics.median(rates):.1f}")
            if args.profile:
                profile = cProfile.Profile()
                profile.enable()
                for index in range(args.cases):
                    one_case(wf, 100_000 + index)
                profile.disable()
                stats = pstats.Stats(profile)
                stats.sort_stats("tottime").print_stats(40)
                stats.sort_stats("cumulative").print_stats(40)
        finally:
            db.dispose()


if __name__ == "__main__":
    main()
