"""Front matter: YAML between --- fences (Jekyll, Hugo, our export) or TOML between +++ (Hugo).

split() reads it; dump() writes our export's, which any YAML reader reads back.
"""

import re
import tomllib
from dataclasses import dataclass

import yaml

from posts.importers.records import Problem

FENCES = {"---": "yaml", "+++": "toml"}
# "l---": something typed before the opening fence, which Jekyll would take for body text.
STRAY_BEFORE_FENCE = re.compile(r"^(\S{1,3})(---|\+\+\+)\s*$")
_TOML_LINE = re.compile(r"at line (\d+)")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when the wheel has it
# A front matter holds tens of values. YAML's aliases let a few lines stand for billions
# (a "billion laughs"): read once they are cheap, but printing or walking one is not.
MAX_VALUES = 10_000
# Nor may a few long values, each named by many aliases, stand for gigabytes: the text written
# out may be this much longer than the front matter itself (which bounds it without aliases).
MAX_ALIASED_CHARACTERS = 100_000
_ALIAS = re.compile(r"(?:^|[\s\[{,:-])\*[^\s\[\]{},]+")


class FrontMatterError(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(str(problem))


@dataclass
class Document:
    meta: dict
    body: str
    raw_meta: str = ""  # the front matter as written, to find a key's line in messages

    def line_of(self, key: str) -> int | None:
        """Return the file's line number where a front-matter key is set, if it can be found."""
        for number, line in enumerate(self.raw_meta.split("\n"), start=2):
            if re.match(rf"\s*{re.escape(key)}\s*[:=]", line, re.IGNORECASE):
                return number
        return None


def split(text: str, origin: str) -> Document:
    """Split a file's text into its front matter and its body; raise FrontMatterError if broken."""
    text = text.removeprefix("\ufeff")  # line ends are kept: a body written in a browser has CRLF
    lines = text.split("\n")
    first = lines[0].rstrip()
    if first not in FENCES:
        stray = STRAY_BEFORE_FENCE.match(first)
        if stray and stray.group(2) in (line.rstrip() for line in lines[1:200]):
            raise FrontMatterError(
                Problem(
                    origin,
                    f"{stray.group(1)!r} stands before the front matter's opening "
                    f"{stray.group(2)}; remove it so the fence starts the file",
                    line=1,
                )
            )
        return Document({}, text)
    try:
        end = next(i for i, line in enumerate(lines[1:], start=1) if line.rstrip() == first)
    except StopIteration:
        raise FrontMatterError(
            Problem(origin, f"the front matter opened with {first} is never closed", line=1)
        ) from None
    raw = "\n".join(lines[1:end])
    body = "\n".join(lines[end + 1 :])
    meta = _read_meta(raw, FENCES[first], origin)
    if meta is None:
        meta = {}
    characters = len(raw) + MAX_ALIASED_CHARACTERS
    if not _within(meta, MAX_VALUES, characters):
        line = next((n for n, x in enumerate(raw.split("\n"), start=2) if _ALIAS.search(x)), 2)
        raise FrontMatterError(
            Problem(
                origin,
                f"front matter stands for more than {MAX_VALUES:,} values"
                f" or {characters:,} characters",
                line,
            )
        )
    if not isinstance(meta, dict):
        raise FrontMatterError(
            Problem(origin, "front matter must be a set of `key: value` lines", line=2)
        )
    return Document({str(k).lower(): v for k, v in meta.items()}, body, raw)


def _read_meta(raw: str, kind: str, origin: str):
    """Return the front matter's values; raise FrontMatterError naming the line where it breaks."""
    try:
        return _parse(raw, kind)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        reason = getattr(err, "problem", None) or str(err)
        raise FrontMatterError(
            Problem(origin, f"front matter is not valid YAML: {reason}", line)
        ) from err
    except tomllib.TOMLDecodeError as err:
        found = _TOML_LINE.search(str(err))
        line = int(found.group(1)) + 1 if found else raw.count("\n") + 2
        raise FrontMatterError(
            Problem(origin, f"front matter is not valid TOML: {err}", line)
        ) from err
    except (ValueError, TypeError) as err:  # a well-formed value that is not one (2010-13-45)
        raise FrontMatterError(
            Problem(origin, f"front matter holds a bad value: {err}", _bad_value_line(raw))
        ) from err


def _within(value, limit: int, characters: int) -> bool:
    """Return True if value, aliases written out, holds at most limit values and characters."""
    pending, seen = [value], 0
    while pending:
        value = pending.pop()
        seen += 1
        if isinstance(value, str | bytes):
            characters -= len(value)
        if seen > limit or characters < 0:
            return False
        if isinstance(value, dict):
            pending += [*value.keys(), *value.values()]
        elif isinstance(value, list | tuple | set):
            pending += value
    return True


def _bad_value_line(raw: str) -> int:
    """Return the file's line of the first front-matter line YAML reads but cannot convert."""
    # The error carries no position: each line read alone shows where it is.
    for number, line in enumerate(raw.split("\n"), start=2):
        try:
            yaml.load(line, Loader=_LOADER)
        except (ValueError, TypeError):
            return number
        except yaml.YAMLError:
            continue
    return 2


def _parse(raw: str, kind: str):
    if kind == "toml":
        return tomllib.loads(raw)
    return yaml.load(raw, Loader=_LOADER)


# What a double-quoted YAML scalar cannot hold as it is: the quote and backslash, line breaks
# (NEL and the two Unicode separators count as breaks), tabs, and what PyYAML's reader refuses
# as not printable (controls, U+FFFE and U+FFFF); a BOM inside would read as one. (A lone
# surrogate cannot be stored in the database, so none reaches here.)
_NEEDS_ESCAPE = re.compile(r'[\\"\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]')


def _escape(match: re.Match) -> str:
    char = match.group(0)
    if char in '\\"':
        return "\\" + char
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return '"' + _NEEDS_ESCAPE.sub(_escape, value) + '"'


def dump(meta: dict) -> str:
    """Return meta as YAML front matter between --- fences, one key a line.

    meta holds strings, booleans, whole numbers, dicts of strings, lists of strings and lists
    of such dicts. Every string is
    double-quoted with escapes, so no value can be read as a number, a date or a fence. (Through
    PyYAML's dumper, which looks at every value to pick a style, this took 40% of an export.)
    """
    lines = ["---"]
    for key, value in meta.items():
        if isinstance(value, dict):
            lines.append(f"{key}:")
            lines += [f"  {name}: {_scalar(field)}" for name, field in value.items()]
            continue
        if not isinstance(value, list):
            lines.append(f"{key}: {_scalar(value)}")
            continue
        lines.append(f"{key}:" if value else f"{key}: []")
        for item in value:
            if not isinstance(item, dict):
                lines.append(f"- {_scalar(item)}")
                continue
            prefix = "- "
            for name, field in item.items():
                lines.append(f"{prefix}{name}: {_scalar(field)}")
                prefix = "  "
    lines.append("---\n")
    return "\n".join(lines)
