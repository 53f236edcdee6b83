"""The search index on a hostile disk (issue 9, item 8): a read-only library, a full disk, a folder
where the lock file goes. Each gives a working read-only search or one line on stderr, and loses
nothing. The disks are real: a small tmpfs and a read-only bind mount (root), or chmod (others)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli_support import clean_env, invoke

ROOT = Path(__file__).resolve().parent.parent
FEEDS = ROOT / "feeds"


def cli(library: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``newsreader --library LIB ARGS`` without ``NEWSREADER*`` variables, run in process."""
    return invoke(*args, library=library, env=clean_env(columns=None), cwd=ROOT)


def one_line_error(proc: subprocess.CompletedProcess[str], *words: str) -> None:
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.startswith("newsreader: error: ") and proc.stderr.count("\n") == 1, proc.stderr
    for word in words:
        assert word in proc.stderr, proc.stderr


def snapshot(library: Path) -> dict[str, bytes]:
    """Every store file (not the derived search index) by relative path."""
    return {
        str(p.relative_to(library)): p.read_bytes()
        for p in sorted(library.rglob("*"))
        if p.is_file() and "search" not in p.relative_to(library).parts[0]
    }


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True)


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """``folder`` read-only for this process: a read-only bind mount as root (root ignores modes)."""
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [folder, *folder.rglob("*")]}
        for p in modes:
            p.chmod(modes[p] & ~0o222)
        try:
            yield
        finally:
            for p, mode in modes.items():
                p.chmod(mode)
        return
    try:
        _mount("--bind", str(folder), str(folder))
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"cannot bind-mount a read-only folder here: {exc}")
    try:
        _mount("-o", "remount,bind,ro", str(folder))
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MiB tmpfs: a disk that really fills up."""
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a small tmpfs (a real full disk)")
    disk = tmp_path / "disk"
    disk.mkdir()
    try:
        _mount("-t", "tmpfs", "-o", "size=16m", "tmpfs", str(disk))
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"cannot mount a tmpfs here: {exc}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "--lazy", str(disk)], check=True)  # lazy: a failed test may hold files


def big_dump(path: Path, n: int = 300) -> Path:
    """``n`` articles of 300 words: enough that the index's two halves fill a disk at different points."""
    articles = [
        f"Harbour headline number {i}\n\n" + " ".join(f"word{(i * j) % 5000}" for j in range(300)) + "\n"
        for i in range(n)
    ]
    path.write_text("\n---\n\n".join(articles), encoding="utf-8")
    return path


def fill(disk: Path, leave: int) -> Path:
    """Fill ``disk`` up to ``leave`` bytes free (0: to the last byte); returns the filler file."""
    st = os.statvfs(disk)
    filler = disk / "filler"
    with contextlib.suppress(OSError), open(filler, "wb", buffering=0) as fh:
        fh.write(b"\0" * max(0, st.f_bavail * st.f_frsize - leave))
        while not leave:
            fh.write(b"\0" * 512)
    return filler


# --- read-only ------------------------------------------------------------------------------------


def test_read_only_library_with_a_fresh_index_searches(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    assert cli(library, "import", str(FEEDS / "harbour-notes.txt")).returncode == 0
    before = cli(library, "search", "harbour")
    assert before.returncode == 0 and before.stdout.strip(), before.stderr
    with read_only(library):
        proc = cli(library, "search", "harbour")
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout == before.stdout and proc.stderr == ""
        assert cli(library, "search", "zzzzzz").stdout.strip() == "no articles match"


def test_read_only_library_named_by_a_relative_path_searches(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    assert cli(library, "import", str(FEEDS / "harbour-notes.txt")).returncode == 0
    before = cli(library, "search", "harbour")
    assert before.returncode == 0 and before.stdout.strip(), before.stderr
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSREADER")}
    with read_only(library):  # `--library lib` from its parent: the index is opened by file URI
        proc = subprocess.run(
            [sys.executable, "-m", "newsreader", "--library", "lib", "search", "harbour"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            check=False,
        )
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert proc.stdout.strip()


@pytest.mark.parametrize("index", ["missing", "stale"])
def test_read_only_library_that_needs_indexing_is_a_one_line_error(tmp_path: Path, index: str) -> None:
    library = tmp_path / "lib"
    assert cli(library, "import", str(FEEDS / "harbour-notes.txt")).returncode == 0
    if index == "stale":
        assert cli(library, "search", "harbour").returncode == 0
        assert cli(library, "import", str(FEEDS / "field-notes.md")).returncode == 0
    kept = snapshot(library)
    with read_only(library):
        one_line_error(cli(library, "search", "harbour"), "read-only")
    assert snapshot(library) == kept
    assert cli(library, "search", "harbour").returncode == 0  # writable again: it catches up


# --- a full disk ----------------------------------------------------------------------------------

# Free space left on the disk before the search: each level fails at a different write (SQLite's
# journal, tantivy's segments, SQLite's commit), which gave four different errors before the fix.
LEVELS = [0, 16 << 10, 64 << 10, 128 << 10, 256 << 10, 512 << 10]


@pytest.mark.slow
@pytest.mark.parametrize("prebuilt", [False, True], ids=["build", "update"])
def test_full_disk_is_a_one_line_error_and_loses_nothing(small_disk: Path, prebuilt: bool) -> None:
    dump = big_dump(small_disk.parent / "big.txt")
    for leave in LEVELS:
        library = small_disk / f"lib{leave}"
        assert cli(library, "import", str(FEEDS)).returncode == 0
        if prebuilt:
            assert cli(library, "search", "harbour").returncode == 0
        assert cli(library, "import", str(dump)).returncode == 0
        kept = snapshot(library)
        filler = fill(small_disk, leave)
        proc = cli(library, "search", "harbour")
        if proc.returncode != 0:  # at some levels the write fits
            one_line_error(proc, "no space left on device")
            assert "rollback" not in proc.stderr
        filler.unlink()
        assert snapshot(library) == kept, f"{leave} bytes free: the store changed"
        after = cli(library, "search", "--limit", "500", "harbour")
        assert after.returncode == 0, after.stderr
        assert after.stdout.count("Harbour headline number") == 300, f"{leave} bytes free"
        subprocess.run(["rm", "-rf", str(library)], check=True)


@pytest.mark.slow
def test_full_disk_leaves_the_index_unlocked_in_a_long_running_process(small_disk: Path) -> None:
    """The TUI keeps one Library: a failed write must not leave it holding search.lock, or every
    later search waits out the lock's timeout and says "busy", even once space is freed."""
    from newsreader.errors import StoreError, StoreLockedError
    from newsreader.library import Library

    library_path = small_disk / "lib"
    assert cli(library_path, "import", str(FEEDS)).returncode == 0
    assert cli(library_path, "import", str(big_dump(small_disk.parent / "big.txt"))).returncode == 0
    library = Library(library_path)
    filler = fill(small_disk, 0)
    for _ in range(2):
        with pytest.raises(StoreError, match="no space left on device") as info:
            library.search("harbour")
        assert not isinstance(info.value, StoreLockedError)
    filler.unlink()
    hits = library.search("harbour", limit=500)
    assert sum(hit.article.title.startswith("Harbour headline number") for hit in hits) == 300
    library._search_index.close()


# --- a folder where the lock file goes ------------------------------------------------------------


def test_lock_file_replaced_by_a_folder_is_a_one_line_error(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    assert cli(library, "import", str(FEEDS / "harbour-notes.txt")).returncode == 0
    (library / "search.lock").mkdir()
    one_line_error(cli(library, "search", "harbour"), "search.lock")
    (library / "search.lock").rmdir()
    assert cli(library, "search", "harbour").returncode == 0
