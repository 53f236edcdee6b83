"""Refresh benchmark: newsreader vs newsboat on the same local feed farm, cold and warm.

The farm (``feed_farm.py``) serves 200 RSS feeds of 30 items each from 127.0.0.1 with 50 ms of
latency per request and honours ETag / Last-Modified. Both programs run as a user runs them, as
a fresh process (``newsreader refresh``; ``newsboat -x reload`` with ``reload-threads 8``), each
with its own library/cache: a cold run starts empty and stores everything, a warm run repeats on
the filled one and gets 304s. Runs alternate between the two programs and each ratio compares a
pair run back to back, so load from other processes on the machine hits both alike; the reported
ratio is the median over the pairs. Two farm shapes (``feed_farm.py``): ``short`` items of ~60 words,
targets (issue 4) cold <= 0.8x newsboat, warm <= 0.3x; ``full`` items carrying whole ~250-word
articles (~60 KB a feed), targets (issue 16) cold <= 0.5x, warm <= 0.2x.
``python -m tests.bench.bench_refresh [short|full]`` runs one shape.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.bench import ROOT, compile_newsreader


@dataclass(frozen=True)
class Shape:
    name: str
    label: str
    cold_target: float
    warm_target: float


SHAPES = {
    "short": Shape("short", "~60-word items", 0.8, 0.3),
    "full": Shape("full", "full-content ~250-word items", 0.5, 0.2),
}

Row = tuple[str, str, str, str]


def _start_farm(feeds: int, items: int, latency: float, shape: str) -> tuple[subprocess.Popen[str], int]:
    farm = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.bench.feed_farm",
            "--feeds",
            str(feeds),
            "--items",
            str(items),
            "--latency",
            str(latency),
            "--shape",
            shape,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert farm.stdout is not None
    line = farm.stdout.readline()
    if not line.strip().isdigit():
        farm.kill()
        raise RuntimeError("the feed farm did not start")
    return farm, int(line)


_cpu: list[float] = []  # CPU seconds (user + system, the process and its children) of each _timed run


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(args: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    cpu = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)
    elapsed = time.perf_counter() - started
    _cpu.append(_children_cpu() - cpu)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:4])} failed ({done.returncode}): {done.stderr.strip()[-300:]}")
    return elapsed, done.stdout.strip()


class _Newsreader:
    """``newsreader refresh`` runs; each cold run gets a new library subscribed from an OPML file."""

    def __init__(self, folder: Path, urls: list[str]) -> None:
        from newsreader.ingest.opml import Outline, unparse

        folder.mkdir()
        self.folder = folder
        self.opml = folder / "farm.opml"
        self.opml.write_text(unparse(Outline(url, f"farm {i}") for i, url in enumerate(urls)))
        self.runs = 0
        self.last: list[str] = []

    def cold(self) -> tuple[float, str]:
        self.runs += 1
        self.last = [sys.executable, "-m", "newsreader", "--library", str(self.folder / f"lib{self.runs}")]
        _timed([*self.last, "import", str(self.opml)])  # subscribes only: no fetching, not timed
        return _timed([*self.last, "refresh"])

    def warm(self) -> tuple[float, str]:
        return _timed([*self.last, "refresh"])


class _Newsboat:
    """``newsboat -x reload`` runs with ``reload-threads 8``; each cold run gets a new cache."""

    def __init__(self, folder: Path, urls: list[str]) -> None:
        folder.mkdir()
        self.folder = folder
        (folder / "urls").write_text("".join(f"{u}\n" for u in urls))
        (folder / "config").write_text("reload-threads 8\n")
        self.env = dict(os.environ, HOME=str(folder), LANG="C.UTF-8")
        self.runs = 0

    def _args(self) -> list[str]:
        f = self.folder
        cache = f / f"cache{self.runs}.db"
        return ["newsboat", "-x", "reload", "-u", str(f / "urls"), "-c", str(cache), "-C", str(f / "config")]

    def cold(self) -> float:
        self.runs += 1
        return _timed(self._args(), self.env)[0]

    def warm(self) -> float:
        return _timed(self._args(), self.env)[0]


def _fmt(times: list[float]) -> str:
    return " ".join(f"{t:.2f}" for t in times)


def _pairs(farm_port: int, shape: Shape, quick: bool, tmp: Path) -> list[Row]:
    """Cold pairs then warm pairs of one farm shape, alternating the two programs."""
    feeds, items, latency = (6, 4, 0.005) if quick else (200, 30, 0.05)
    runs = 1 if quick else 5
    urls = [f"http://127.0.0.1:{farm_port}/feed/{n}.xml" for n in range(feeds)]
    ours = _Newsreader(tmp / f"newsreader-{shape.name}", urls)
    theirs = None
    if not quick and shutil.which("newsboat") is not None:
        theirs = _Newsboat(tmp / f"newsboat-{shape.name}", urls)
    cold: list[float] = []
    warm: list[float] = []
    nb_cold: list[float] = []
    nb_warm: list[float] = []
    cpu: dict[str, list[float]] = {"cold": [], "warm": [], "nb cold": [], "nb warm": []}
    for _ in range(runs):
        if theirs is not None:
            nb_cold.append(theirs.cold())
            cpu["nb cold"].append(_cpu[-1])
        elapsed, out = ours.cold()
        cpu["cold"].append(_cpu[-1])
        cold.append(elapsed)
        expected = f"refreshed {feeds} feeds: {feeds * items} new, 0 updated, 0 not modified, 0 failed"
        if out != expected:
            raise RuntimeError(f"unexpected cold refresh output: {out!r}")
    for _ in range(runs):
        if theirs is not None:
            nb_warm.append(theirs.warm())
            cpu["nb warm"].append(_cpu[-1])
        elapsed, out = ours.warm()
        cpu["warm"].append(_cpu[-1])
        warm.append(elapsed)
        expected = f"refreshed {feeds} feeds: 0 new, 0 updated, {feeds} not modified, 0 failed"
        if out != expected:
            raise RuntimeError(f"unexpected warm refresh output: {out!r}")
    label = f"{shape.label}: {feeds} feeds x {items} items, {latency * 1000:.0f} ms"
    print(f"{shape.name}: newsreader runs (s): cold {_fmt(cold)}; warm {_fmt(warm)}")
    print(f"{shape.name}: newsreader CPU (s):  cold {_fmt(cpu['cold'])}; warm {_fmt(cpu['warm'])}")
    if theirs is None:
        return [
            (f"newsreader cold refresh ({label})", f"{min(cold):.2f} s", "n/a", "n/a"),
            (f"newsreader warm refresh, all 304 ({label})", f"{min(warm):.2f} s", "n/a", "n/a"),
        ]
    print(f"{shape.name}: newsboat runs (s):   cold {_fmt(nb_cold)}; warm {_fmt(nb_warm)}")
    print(f"{shape.name}: newsboat CPU (s):    cold {_fmt(cpu['nb cold'])}; warm {_fmt(cpu['nb warm'])}")
    cold_ratio = statistics.median(a / b for a, b in zip(cold, nb_cold, strict=True))
    warm_ratio = statistics.median(a / b for a, b in zip(warm, nb_warm, strict=True))
    median = statistics.median
    return [
        (f"newsboat cold reload, 8 threads ({label})", f"{median(nb_cold):.2f} s", "-", "-"),
        (f"newsboat warm reload ({label})", f"{median(nb_warm):.2f} s", "-", "-"),
        (f"newsreader cold refresh ({label})", f"{median(cold):.2f} s", "-", "-"),
        (f"newsreader warm refresh, all 304 ({label})", f"{median(warm):.2f} s", "-", "-"),
        (
            f"{shape.name} cold CPU: newsreader / newsboat (median of paired runs)",
            f"{statistics.median(a / b for a, b in zip(cpu['cold'], cpu['nb cold'], strict=True)):.2f}x",
            "-",
            "-",
        ),
        (
            f"{shape.name} cold: newsreader / newsboat (median of paired runs)",
            f"{cold_ratio:.2f}x",
            f"<= {shape.cold_target}x",
            "yes" if cold_ratio <= shape.cold_target else "NO",
        ),
        (
            f"{shape.name} warm: newsreader / newsboat (median of paired runs)",
            f"{warm_ratio:.2f}x",
            f"<= {shape.warm_target}x",
            "yes" if warm_ratio <= shape.warm_target else "NO",
        ),
    ]


def _parse_rows(shape: Shape, feeds: int, items: int) -> list[Row]:
    """CPU per feed of the parse step, feedparser's path against the fast path, alternating in this
    process (CPU time, so other load on the machine matters less than to the wall-clock pairs)."""
    from newsreader.ingest import fastfeed, feed
    from tests.bench.feed_farm import feed_xml

    docs = [feed_xml(n, items, shape.name) for n in range(feeds)]
    paths = {"feedparser": feed.parse_feed, "fast": fastfeed.parse_feed}
    best = dict.fromkeys(paths, float("inf"))
    for _ in range(3):
        for name, parse in paths.items():
            started = time.process_time()
            for n, doc in enumerate(docs):
                parse(doc, source_id=f"s{n}", url=f"http://127.0.0.1/feed/{n}.xml", content_type=None)
            best[name] = min(best[name], (time.process_time() - started) / feeds * 1000)
    return [
        (f"parse one {shape.name} feed, feedparser path (CPU)", f"{best['feedparser']:.1f} ms", "-", "-"),
        (f"parse one {shape.name} feed, fast path (CPU)", f"{best['fast']:.1f} ms", "-", "-"),
    ]


def main(quick: bool = False, shapes: Sequence[str] = ("short", "full")) -> list[Row]:
    """Run the benchmark on each farm shape; ``quick`` uses tiny farms and skips newsboat (a smoke test)."""
    compile_newsreader()
    if quick:
        print("quick run: newsboat comparison skipped")
    elif shutil.which("newsboat") is None:
        print("newsboat not installed (apt-get install newsboat); skipping the comparison")
    feeds, items, latency = (6, 4, 0.005) if quick else (200, 30, 0.05)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="nr-bench-") as tmp:
        for name in shapes:
            shape = SHAPES[name]
            farm, port = _start_farm(feeds, items, latency, shape.name)
            try:
                rows += _parse_rows(shape, feeds, items)
                rows += _pairs(port, shape, quick, Path(tmp))
            finally:
                farm.terminate()
                farm.wait(timeout=10)
    width = max(len(r[0]) for r in rows)
    print(f"{'metric':<{width}}  {'value':<10} {'target':<8} ok")
    for metric, value, target, ok in rows:
        print(f"{metric:<{width}}  {value:<10} {target:<8} {ok}")
    return rows


if __name__ == "__main__":
    main(quick="--quick" in sys.argv, shapes=[a for a in sys.argv[1:] if a in SHAPES] or ("short", "full"))
