"""Markdown inline markup in dumps: emphasis dropped, links turned into numbered references."""

from __future__ import annotations

import re

_MD_LINK = re.compile(r"!?\[([^\]]*)\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1|(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\3(?![\w*])")


def markdown_inline(text: str) -> str:
    """Emphasis markers removed; links are kept for :func:`number_links` to turn into references."""
    return _MD_EMPHASIS.sub(lambda m: m.group(2) or m.group(4), text)


def number_links(paragraphs: list[str]) -> tuple[list[str], tuple[str, ...]]:
    """``[text](url)`` becomes ``text [n]`` with ``url`` as link n, as HTML bodies do; images become
    ``[image: alt]``."""
    links: list[str] = []

    def replace(match: re.Match[str]) -> str:
        text, url = match.group(1).strip(), match.group(2)
        if match.group(0).startswith("!"):
            return f"[image: {text}]" if text else "[image]"
        if url not in links:
            links.append(url)
        return f"{text or url} [{links.index(url) + 1}]"

    return [_MD_LINK.sub(replace, p) for p in paragraphs], tuple(links)
