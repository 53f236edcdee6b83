"""Dates in dumps: a line that is a date (``parse_date``) and a date inside a short head line (``find_date``).

English, German, Spanish, French, Italian, Portuguese, Dutch, Swedish and Indonesian month names; numeric
``2026-11-02``, ``02.11.2026``, ``13/06/2014`` (day first unless the first number cannot be a day);
RFC 2822 and ISO 8601. Regexes rather than strptime: this runs on every article head of a big import.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

_DATE_PREFIX = re.compile(
    r"^(?:published|posted|updated|date|last updated|veröffentlicht|aktualisiert|publicado|actualizado|"
    r"publié|mis à jour|pubblicato|aggiornato|gepubliceerd|publicerad|diterbitkan)"
    r"(?:\s+(?:on|am|el|le|il|em|op|den|pada))?\s*[:\-–—]?\s*",
    re.IGNORECASE,
)
_MONTH_NAMES = (
    "january jan januar janvier gennaio enero janeiro januari janv ene gen",
    "february feb februar février fevrier febbraio febrero fevereiro februari févr fév febr fevr",
    "march mar märz maerz mars marzo março maret mrt mär",
    "april apr avril aprile abril",
    "may mai maggio mayo maio mei",
    "june jun juni juin giugno junio junho",
    "july jul juli juillet luglio julio julho juil lug",
    "august aug août aout agosto agustus ago",
    "september sep sept septembre settembre septiembre setembro set",
    "october oct oktober octobre ottobre octubre outubro okt ott out",
    "november nov novembre noviembre novembro",
    "december dec dezember décembre decembre dicembre diciembre dezembro desember dez dic déc des",
)
MONTHS = {name: number for number, names in enumerate(_MONTH_NAMES, start=1) for name in names.split()}
_HAS_YEAR = re.compile(r"\b(?:19|20|21)\d\d\b")
_TIME_TAIL = (
    r"(?:,?\s*(?:at\s+)?\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?)?"
    r"(?:\s*(?:[a-z]{2,5}|[+-]\d{2}:?\d{2}))?$"
)
_WEEKDAY = r"(?:[^\W\d]+(?:-[^\W\d]+)?,?\s+)?"
_DE = r"(?:\s+(?:de|del)\s+|\s+)"
_DMY = re.compile(
    rf"^{_WEEKDAY}(\d{{1,2}})(?:st|nd|rd|th|er|º)?\.?{_DE}([^\W\d]+)\.?,?{_DE}(\d{{4}}){_TIME_TAIL}", re.I
)
_MDY = re.compile(rf"^{_WEEKDAY}([^\W\d]+)\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}}){_TIME_TAIL}", re.I)
_YMD = re.compile(rf"^(\d{{4}})[-/.](\d{{1,2}})[-/.](\d{{1,2}}){_TIME_TAIL}", re.I)
_DMY_NUMERIC = re.compile(rf"^(\d{{1,2}})[./](\d{{1,2}})[./](\d{{4}}){_TIME_TAIL}", re.I)

# Inside a line: the same shapes, unanchored, for head lines such as "Posted on 3 October 2026 by Ana Costa".
_FIND = re.compile(
    r"(?<![\w/.-])(?:"
    r"(?P<d1>\d{1,2})(?:st|nd|rd|th|er|º)?\.?(?:\s+(?:de\s+)?)(?P<m1>[^\W\d]{3,})\.?,?(?:\s+(?:de\s+)?)(?P<y1>(?:19|20|21)\d\d)"
    r"|(?P<m2>[^\W\d]{3,})\.?\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y2>(?:19|20|21)\d\d)"
    r"|(?P<y3>(?:19|20|21)\d\d)-(?P<mo3>\d{1,2})-(?P<d3>\d{1,2})"
    r"|(?P<d4>\d{1,2})[./](?P<mo4>\d{1,2})[./](?P<y4>(?:19|20|21)\d\d)"
    r")(?![\w/-])",
    re.IGNORECASE,
)


def _ymd(year: int, month: int, day: int) -> datetime | None:
    if not 1900 <= year <= 2200:
        return None
    try:
        return datetime(year, month, day, tzinfo=UTC)
    except ValueError:
        return None


def _day_month(first: int, second: int, year: int) -> datetime | None:
    """``13/06/2014`` is day first; ``06/13/2014`` cannot be, so it is month first."""
    return _ymd(year, second, first) if first > 12 or second <= 12 else _ymd(year, first, second)


def parse_date(line: str) -> datetime | None:
    """A date line (``2026-11-02``, ``November 2, 2026``, ``3. Oktober 2026``, RFC 2822, ISO 8601), aware UTC.

    Only a line that is nothing but a date (after an optional ``Published:`` prefix) counts, so a sentence
    that mentions a year is never taken for one.
    """
    text = _DATE_PREFIX.sub("", line.strip()).strip().rstrip(".")
    if not text or len(text) > 48 or not _HAS_YEAR.search(text):
        return None
    value: datetime | None = None
    if text[:4].isdigit() and len(text) > 10:
        try:
            value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            value = None
    if value is None and ":" in text and "," in text:
        from email.utils import parsedate_to_datetime

        try:
            value = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            value = None
    if value is None:
        if m := _YMD.match(text):
            value = _ymd(int(m[1]), int(m[2]), int(m[3]))
        elif m := _DMY_NUMERIC.match(text):
            value = _day_month(int(m[1]), int(m[2]), int(m[3]))
        elif (m := _DMY.match(text)) and m[2].lower() in MONTHS:
            value = _ymd(int(m[3]), MONTHS[m[2].lower()], int(m[1]))
        elif (m := _MDY.match(text)) and m[1].lower() in MONTHS:
            value = _ymd(int(m[3]), MONTHS[m[1].lower()], int(m[2]))
    if value is None or not 1900 <= value.year <= 2200:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def find_date(line: str) -> datetime | None:
    """The first date written inside ``line`` (``Posted on 3 October 2026 by Ana Costa``), else None."""
    for m in _FIND.finditer(line):
        if m["y1"] and m["m1"].lower() in MONTHS:
            value = _ymd(int(m["y1"]), MONTHS[m["m1"].lower()], int(m["d1"]))
        elif m["y2"] and m["m2"].lower() in MONTHS:
            value = _ymd(int(m["y2"]), MONTHS[m["m2"].lower()], int(m["d2"]))
        elif m["y3"]:
            value = _ymd(int(m["y3"]), int(m["mo3"]), int(m["d3"]))
        elif m["y4"]:
            value = _day_month(int(m["d4"]), int(m["mo4"]), int(m["y4"]))
        else:
            continue
        if value is not None:
            return value
    return None
