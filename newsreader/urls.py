"""Which URLs newsreader will make a request to: one rule for feeds, redirects and sync servers.

Standard library only: ``add``, ``account add`` and every refresh check URLs, and start-up should not pay
for httpx to do it. Callers word the error for their own context (``not an http(s) feed URL: ...``,
``redirected to an invalid URL: ...``); the reasons come from here.
"""

from __future__ import annotations

from urllib.parse import urlsplit

NOT_UTF8 = "not UTF-8"
NOT_HTTP = "not http(s)"
NO_HOST = "no host"
CONTROL = "a control character in it"
SPACE_OR_CONTROL = "a space or control character in it"


def url_problem(url: str) -> str | None:
    """Why no request can be made to ``url``, as a short phrase, or ``None`` when one can.

    The rules, in the order they are checked: the text encodes as UTF-8 (a file name's undecodable
    bytes do not); no control characters (C0, DEL, C1: no request line can carry them, and a terminal
    would act on them); it parses, with a port, if any, from 0 to 65535 (urllib's own words,
    lower-cased); the scheme is http or https in any case; it names a host. A space is allowed: a
    stored feed URL or a redirect may have one, and the request percent-encodes it.
    """
    try:
        url.encode("utf-8")
    except UnicodeEncodeError:
        return NOT_UTF8
    if any(ch < " " or "\x7f" <= ch <= "\x9f" for ch in url):
        return CONTROL
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a port out of range or not a number)
    except ValueError as exc:
        return str(exc).lower()
    if parts.scheme.lower() not in ("http", "https"):
        return NOT_HTTP
    if not parts.hostname:
        return NO_HOST
    return None


def typed_url_problem(url: str) -> str | None:
    """:func:`url_problem` for a URL a person typed (``add``, ``account add``): no white space inside
    either, since a space there is two arguments run together far more often than a real path."""
    if any(ch.isspace() for ch in url):
        return SPACE_OR_CONTROL
    return url_problem(url)
