"""Link addresses that cannot be read as written, and the reading of them a reader can follow.

Years-old posts hold addresses with a stray bracket or quote at their end
("http://example.eu]"), a space in the host, or other slips kramdown and browsers pass over.
The sanitiser drops an href it cannot parse, and urlsplit raises on some of them: here such an
address is read the way its author surely meant it, when one reading is a safe URL.
Imports nothing of the project: the renderer and the importers both ask it.
"""

import re
from urllib.parse import unquote, urlsplit

SAFE_SCHEMES = {"http", "https", "mailto"}
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
# A host as a browser reads it: a name (any letters, for IDNs), an IPv4 or a bracketed IPv6,
# then an optional port. Brackets, spaces, quotes and "%" are never part of one.
_HOST = re.compile(r"^(?:[^\s\[\]<>\"'`{}|\\^%@/:?#]++|\[[0-9a-fA-F:.]++\])(?::\d*)?$")
# What an author's slip leaves around an address: closing brackets, quotes, punctuation.
_TRAILING = "])}>'\".,;:!"
_LEADING = "[(<'\""


def readable(url: str) -> bool:
    """Return True if a browser (and the sanitiser) can read this address as it is."""
    try:
        parts = urlsplit(url)
    except ValueError:  # "http://example.eu]": urlsplit says "Invalid IPv6 URL"
        return False
    if any(char.isspace() for char in url.strip()):
        return False
    if parts.netloc:
        host = parts.netloc.rpartition("@")[2]
        return bool(_HOST.match(host))
    return not (parts.scheme in ("http", "https") and not parts.netloc)


def safe(url: str) -> bool:
    """Return True if an address is relative or uses one of SAFE_SCHEMES."""
    scheme = _SCHEME.match(url.strip())
    return scheme is None or scheme.group(1).lower() in SAFE_SCHEMES


def reading_of(url: str) -> str | None:
    """Return the address as its author meant it, if it is not readable as written.

    The readings tried: the address without the brackets, quotes or punctuation around it,
    then with the spaces inside it taken out. The first that is readable and safe wins;
    None if there is none (or if the address was readable already).
    """
    if readable(url):
        return None
    trimmed = unquote(url).strip()
    while trimmed and (trimmed[-1] in _TRAILING or trimmed[0] in _LEADING):
        trimmed = trimmed[:-1] if trimmed[-1] in _TRAILING else trimmed[1:]
        if readable(trimmed):
            break
    for reading in (trimmed, re.sub(r"\s+", "", trimmed)):
        if reading and readable(reading) and safe(reading):
            return reading
    return None
