"""The library's schema version and the numbered steps that migrate older libraries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

VERSION = 1
"""Bump when the on-disk layout changes, and add ``MIGRATIONS[old]``, a step from ``old`` to ``old + 1``."""

Migration = Callable[[Any], None]
"""A step receives the ``Store`` (already holding the write lock)."""

MIGRATIONS: dict[int, Migration] = {}
