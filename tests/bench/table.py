"""Printing benchmark rows as an aligned table (also pasted into README)."""

from __future__ import annotations

Row = tuple[str, str, str, str]


def print_table(rows: list[Row]) -> list[Row]:
    header: Row = ("metric", "value", "target", "ok")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |")
    return rows


def verdict(ok: bool) -> str:
    return "yes" if ok else "NO"
