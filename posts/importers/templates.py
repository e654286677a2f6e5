"""Liquid (Jekyll) and shortcode (Hugo) tags in a post's body, turned into Markdown.

The common ones become what they meant: a code fence, an embed URL on its own line, a picture.
Any other tag stays in the text, where the author will see it, and the report names it.
"""

import re
import shlex
from pathlib import Path

from posts.importers.base import Report, markdown_picture

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# A tag ends before the next one opens, and no part is tried again (possessive): a line of
# openings never closed ("{{ {{ {{…", or "{{" and spaces) once took minutes, not milliseconds.
_LIQUID = re.compile(r"\{%-?\s*+(\w++)((?:(?!\{%|%\}).)*+)%\}")
_OUTPUT = re.compile(r"\{\{(?![<%])((?:(?!\{\{|\}\}).)*+)\}\}")  # "-" trims: see _output
_SHORTCODE = re.compile(r"\{\{([<%])\s*+(/?)\s*+([\w.-]++)((?:(?!\{\{|[>%]\}\}).)*+)[>%]\}\}")
# Liquid's and Hugo's highlight blocks, wherever they stand: they become code fences.
# The spaces before one are read from the first of them only (the lookbehind), and a Hugo
# tag ends before the next "{{": from every space of a long run, or from every opening of
# "{{< highlight a {{< highlight a…", each scan ran to the end of the text.
_HIGHLIGHT_START = re.compile(
    r"(?<![ \t])[ \t]*(?:\{%-?\s*highlight\s+([\w+#.-]+)[^%]*?-?%\}"
    r"|\{\{[<%]\s*highlight\s+([\w+#.-]+)(?:(?!\{\{)[^>%])*+[>%]\}\})[ \t]*\n?"
)
_HIGHLIGHT_END = re.compile(
    r"(?:\n|(?<![ \t]))[ \t]*"
    r"(?:\{%-?\s*endhighlight\s*-?%\}|\{\{[<%]\s*/\s*highlight\s*[>%]\}\})"
)
_RAW_START = re.compile(r"\{%-?\s*raw\s*-?%\}")
_RAW_END = re.compile(r"\{%-?\s*endraw\s*-?%\}")
_IAL_LINE = re.compile(r"^\s*\{:[^}]*\}\s*$")
_IAL_INLINE = re.compile(r"\{:[^{}]*+\}")  # to the next "{" at most, as _LIQUID
# Outputs that only pointed at the site itself: "{{ site.url }}/2014/x" becomes "/2014/x".
SITE_ADDRESS = {"site.url", "site.baseurl", "site.github.url", "site.url | append: site.baseurl"}
EMBED_URLS = {
    "youtube": "https://www.youtube.com/watch?v={id}",
    "vimeo": "https://vimeo.com/{id}",
    "speakerdeck": "https://speakerdeck.com/player/{id}",
}


def convert(body: str, path: Path, report: Report) -> str:
    """Return the body with Liquid and Hugo tags converted or, if unknown, kept and reported."""
    if "highlight" in body:  # the patterns are slow to try everywhere
        body = _HIGHLIGHT_START.sub(lambda m: f"\n```{m.group(1) or m.group(2)}\n", body)
        body = _HIGHLIGHT_END.sub("\n```", body)
    if "{" not in body:
        return body  # no Liquid, no shortcode, no attribute list
    out, fence, raw = [], None, False
    for line in body.split("\n"):
        if raw:
            raw = not _RAW_END.search(line)
            out.append(_RAW_END.sub("", line))
            continue
        opening = _FENCE.match(line)
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
            out.append(line)
            continue
        if opening:
            fence = opening.group(1)
            out.append(line)
            continue
        start = _RAW_START.search(line)
        if start:
            after = line[start.end() :]
            raw = not _RAW_END.search(after)
            out.append(_convert_line(line[: start.start()], report) + _RAW_END.sub("", after))
            continue
        if _IAL_LINE.match(line):
            report.notes["kramdown attribute list removed ({: ...})"] += 1
            continue
        out.append(_convert_line(line, report))
    return "\n".join(out)


def _convert_line(line: str, report: Report) -> str:
    if "{" not in line:
        return line
    line = _SHORTCODE.sub(lambda m: _shortcode(m, report), line)
    line = _LIQUID.sub(lambda m: _kept(m.group(0), f"{{% {m.group(1)} %}}", report), line)
    line = _OUTPUT.sub(lambda m: _output(m, report), line)
    if _IAL_INLINE.search(line):
        report.notes["kramdown attribute list removed ({: ...})"] += 1
        line = _IAL_INLINE.sub("", line)
    return line


def _output(match: re.Match, report: Report) -> str:
    inner = match.group(1).removeprefix("-").removesuffix("-")  # {{- x -}} trims whitespace
    if " ".join(inner.split()) in SITE_ADDRESS:
        return ""
    return _kept(match.group(0), "{{ " + inner.split("|")[0].strip() + " }}", report)


def _kept(text: str, name: str, report: Report) -> str:
    report.notes[f"template tag kept as text: {name}"] += 1
    return text


def _arguments(text: str) -> tuple[list[str], dict[str, str]]:
    try:
        words = shlex.split(text)
    except ValueError:
        words = text.split()
    positional, named = [], {}
    for word in words:
        name, equals, value = word.partition("=")
        if equals and re.fullmatch(r"[\w-]+", name):
            named[name.lower()] = value
        else:
            positional.append(word)
    return positional, named


def _shortcode(match: re.Match, report: Report) -> str:
    closing, name, rest = match.group(2), match.group(3).lower(), match.group(4)
    if closing:
        return _kept(match.group(0), f"{{{{< /{name} >}}}}", report)
    positional, named = _arguments(rest)
    first = named.get("id") or (positional[0] if positional else "")
    if name in EMBED_URLS and first:
        return "\n\n" + EMBED_URLS[name].format(id=first) + "\n\n"
    if name == "gist" and len(positional) >= 2:
        return f"\n\nhttps://gist.github.com/{positional[0]}/{positional[1]}\n\n"
    if name in ("tweet", "x") and (named.get("user") or positional) and first:
        user = named.get("user") or positional[0]
        status = named.get("id") or positional[-1]
        return f"\n\nhttps://x.com/{user}/status/{status}\n\n"
    if name == "figure" and named.get("src"):
        caption = named.get("caption") or named.get("title") or ""
        return f"\n\n{markdown_picture(named['src'], named.get('alt', ''), caption)}\n\n"
    return _kept(match.group(0), f"{{{{< {name} >}}}}", report)
