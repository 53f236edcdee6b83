"""``make bench``: run every ``tests/bench/bench_*.py`` and print its table.

Usage: ``python -m tests.bench [--quick] [NAME ...]``
(NAME: ``core``, ``dumps``, ``organise``, ``refresh``, ``search``, ``tui``, ...).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench")
    parser.add_argument("--quick", action="store_true", help="tiny sizes (a smoke test)")
    parser.add_argument("names", nargs="*", help="only these benchmarks")
    args = parser.parse_args()
    names = args.names or sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    failed = []
    for name in names:
        module = importlib.import_module(f"tests.bench.bench_{name}")
        print(f"\n== {name} ==", flush=True)
        started = time.perf_counter()
        rows = module.main(quick=args.quick)
        print(f"({time.perf_counter() - started:.1f} s)")
        failed += [f"{name}: {metric}" for metric, _value, _target, ok in rows if ok == "NO"]
    if failed:
        print("\nmissed targets:\n  " + "\n  ".join(failed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
