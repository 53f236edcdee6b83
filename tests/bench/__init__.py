"""The benchmarks behind ``make bench`` (``python -m tests.bench``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def compile_newsreader() -> None:
    """Byte-compile newsreader first, as installing it does: with PYTHONDONTWRITEBYTECODE set (as in
    some shells and CI images) every start of a source checkout would otherwise compile its modules
    again, 0.1-0.3 s that no installed copy pays."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "newsreader")], env=env, check=True)
