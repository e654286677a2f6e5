"""Front-matter values read as an entry needs them: text, yes or no, dates, slugs, authors,
series, tags.

Authors write these by hand in YAML or TOML: a value of an unexpected kind reads as nothing,
never as an error, but a date that is no date names its key and line.
"""

import re
import reprlib
from datetime import date, datetime, time

from django.utils.text import slugify

from posts.importers import frontmatter
from posts.importers.records import Author, Problem, SeriesRef
from posts.rendering.markdown import plain_text, render_markdown

SLUG = re.compile(r"[-\w]+")
_DATE = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)


def as_text(value, exact: bool = False) -> str:
    """Return a value as text, trimmed unless exact; a list, a mapping or None is ""."""
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value) if exact else str(value).strip()


def as_flag(value, default=None) -> bool | None:
    """Read a yes/no value as YAML or TOML authors write it: true, "false", yes, 0."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "on", "1"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("false", "no", "off", "0"):
        return False
    return default


def as_slug(text: str) -> str:
    """Keep a slug that is one already (case and all); make one from anything else."""
    if SLUG.fullmatch(text) and len(text) <= 200:
        return text
    return slugify(text, allow_unicode=True)[:200].strip("-")


def first_date(
    meta: dict, keys: tuple[str, ...], document: frontmatter.Document, origin: str
) -> datetime | None:
    """Return the time the first of these keys gives; raise FrontMatterError if it is none."""
    for key in keys:
        value = meta.get(key)
        if value in (None, ""):
            continue
        if isinstance(value, datetime):
            parsed = value
        elif isinstance(value, date):
            parsed = datetime.combine(value, time())
        elif isinstance(value, str | int | float):
            parsed = parse_date(str(value))
        else:
            parsed = None  # a list or a mapping
        if parsed is None or not 1000 <= parsed.year <= 9000:
            shown = reprlib.repr(value)
            raise frontmatter.FrontMatterError(
                Problem(origin, f"{key}: {shown} is not a date", document.line_of(key))
            )
        return parsed
    return None


def parse_date(text: str) -> datetime | None:
    """Return the time a front-matter string gives ("2014-01-02 10:00:00 -0500"), or None."""
    text = text.strip()
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    match = _DATE.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    iso = f"{int(year):04d}-{int(month):02d}-{int(day):02d}T{int(hour or 0):02d}"
    iso += f":{minute or '00'}:{second or '00'}"
    if zone and zone != "Z":
        zone = zone if ":" in zone else f"{zone[:3]}:{zone[3:]}"
        iso += zone
    elif zone == "Z":
        iso += "+00:00"
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        return None


def author_of(meta: dict, exact: bool = False) -> Author | None:
    """Return the author the front matter names (an account, a person or a mapping), if any."""
    value = meta.get("author") or meta.get("authors")
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        return _author_in(value, exact)
    name = as_text(value)
    if not name:
        return None
    # "author: ada" names an account; "author: Ada Lovelace" a person (account ada-lovelace).
    username = name if re.fullmatch(r"[\w.@+-]+", name) else slugify(name) or name
    full_name = as_text(meta["author_name"]) if "author_name" in meta else name
    return Author(username, full_name, as_text(meta.get("author_email")), exact=exact)


def _author_in(value: dict, exact: bool) -> Author | None:
    """Return the author a mapping names ({login, name, email}), if it names one."""
    name = as_text(value.get("name") or value.get("display_name"))
    login = as_text(value.get("login") or value.get("username")) or slugify(name)
    return Author(login, name, as_text(value.get("email")), exact=exact) if login else None


def coauthors_of(meta: dict, first: Author | None, exact: bool = False) -> list[Author]:
    """Return the authors after the first that an `authors:` list names, in its order."""
    value = meta.get("authors")
    if not isinstance(value, list):
        return []
    found = []
    for item in value:
        if isinstance(item, dict):
            author = _author_in(item, exact)
        else:
            author = author_of({"author": item}, exact=exact) if as_text(item) else None
        if author is not None:
            found.append(author)
    seen = {first.username} if first is not None else set()
    unique = []
    for author in found:
        if author.username not in seen:
            seen.add(author.username)
            unique.append(author)
    return unique


def series_of(meta: dict) -> tuple[SeriesRef | None, int | None]:
    """Return the series a post is part of and its part number, if the front matter says.

    `series: Name` (or Hugo's list, whose first counts) or our export's mapping
    {slug, title, description}; `series_part: 2`.
    """
    value = meta.get("series")
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        title = as_text(value.get("title") or value.get("name"))
        slug = as_slug(as_text(value.get("slug"))) or slugify(title, allow_unicode=True)
        ref = SeriesRef(slug[:100], title[:200], as_text(value.get("description"), exact=True))
    else:
        title = as_text(value)
        ref = SeriesRef(slugify(title, allow_unicode=True)[:100], title[:200]) if title else None
    if ref is not None and not (ref.slug and ref.title):
        ref = None
    part = meta.get("series_part")
    if isinstance(part, bool) or not isinstance(part, int | str):
        part = None
    try:
        part = int(part) if part is not None else None
    except ValueError:
        part = None
    if part is not None and not 0 <= part <= 32767:
        part = None
    return ref, (part if ref is not None else None)


def tags_of(meta: dict, exact: bool = False) -> list[str]:
    """Return the tags, categories and keywords of the front matter, each name once."""
    names = []
    for key in ("tags", "tag", "categories", "category", "keywords"):
        names += names_in(meta.get(key))
    tidy = (lambda n: n[:100]) if exact else (lambda n: " ".join(n.split())[:100])
    return list(dict.fromkeys(tidy(n) for n in names if n and n.strip()))


def names_in(value) -> list[str]:
    """A list of names as front matter gives it: a list, or a string of them."""
    if isinstance(value, str):
        # Jekyll splits a string of tags on spaces; a comma means a list of phrases.
        return value.split(",") if "," in value else value.split()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [str(value)]  # "tags: 2014": YAML reads a number, Jekyll a tag
    if isinstance(value, list | tuple):
        return [as_text(item) for item in value if not isinstance(item, dict | list)]
    return []


MORE = re.compile(r"<!--\s*more\b(?:(?!-->).)*+-->", re.IGNORECASE | re.DOTALL)


def summary_before_more(markdown: str) -> str:
    """Return the text before a <!--more--> mark (the listing summary WordPress, Hugo and
    Jekyll's excerpt_separator show), or "" if the body has none."""
    mark = MORE.search(markdown) if "<!--" in markdown else None
    if mark is None:
        return ""
    return plain_text(render_markdown(markdown[: mark.start()]))
