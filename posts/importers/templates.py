"""Liquid (Jekyll) and shortcode (Hugo) tags in a post's body, turned into Markdown.

The common ones become what they meant: a code fence, an embed, a picture, a link to the
imported entry, a site parameter, a boxed note. What a generator's tags mean is one table per
generator (name -> Markdown template: DEFAULT_TABLES, extended by the setting
BLOGSITE_IMPORT_SHORTCODES); a tag no rule knows has no rendering here, so it is removed,
never shown raw to readers, and the report names it once for all the posts that held it.
"""

import html
import re
import shlex
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path

from django.conf import settings

from posts.importers.pictures import markdown_picture
from posts.importers.records import Report
from posts.rendering.textscan import sub_enclosed

# A boxed note, as Hugo themes' alert, notice, callout and admonition shortcodes show one.
# {inner} is the text between the opening and the closing tag, each of its lines carrying
# what stands before {inner} on the template's line (here "> ", a quote around all of it).
BOX = "> **{label}**\n>\n> {inner}"
DEFAULT_TABLES: dict[str, dict[str, str]] = {
    "hugo": dict.fromkeys(
        "alert notice callout admonition note tip warning hint info caution important".split(),
        BOX,
    ),
    # Liquid: "include <file>" for an include, else the tag's name. Jekyll-Bootstrap put
    # "{% include JB/setup %}" first in every post: it set variables and showed nothing.
    "jekyll": {"include JB/setup": ""},
}

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


@cache
def _closing_tag(name: str) -> re.Pattern:
    return re.compile(r"\{\{[<%]\s*+/\s*+" + re.escape(name) + r"\s*+[>%]\}\}", re.IGNORECASE)


_NEVER = re.compile(r"(?!)")
_PAIRED_OPENING = re.compile(r"\{\{[<%]\s*+([\w.-]++)((?:(?!\{\{|[>%]\}\}).)*+)[>%]\}\}")


def table(generator: str) -> dict[str, str]:
    """Return a generator's tags -> Markdown templates: ours, then the setting's over them."""
    extra = getattr(settings, "BLOGSITE_IMPORT_SHORTCODES", None) or {}
    own = extra.get(generator) if isinstance(extra, Mapping) else None
    return {**DEFAULT_TABLES.get(generator, {}), **(own if isinstance(own, Mapping) else {})}


def fill(template: str, name: str, positional: list[str], named: dict[str, str], inner="") -> str:
    """Return a table's template with a tag's values in it.

    {inner}, {name}, {0} {1}… for the positional values, {title} or any named one, and
    {label} (the title, else the type, else the first value, else the name, capitalised).
    A name the tag does not give is empty.
    """
    label = named.get("title") or named.get("type") or (positional[0] if positional else name)
    values = {**named, "name": name, "label": label[:1].upper() + label[1:]}
    values.update({str(i): value for i, value in enumerate(positional)})
    inner = inner.strip("\n")
    lines = []
    for line in template.split("\n"):
        if "{inner}" in line:
            before = line[: line.index("{inner}")]
            line = line.replace("{inner}", inner.replace("\n", "\n" + before.rstrip() + " "))
            line = "\n".join(part.rstrip() for part in line.split("\n"))
        lines.append(_FIELD.sub(lambda m: values.get(m.group(1), ""), line))
    return "\n".join(lines)


_FIELD = re.compile(r"\{(\w+)\}")


def convert(
    body: str,
    path: Path,
    report: Report,
    generator: str = "hugo",
    site_values: Callable[[str], str | None] | None = None,
    reference: Callable[[str], str] | None = None,
) -> str:
    """Return the body with Liquid and Hugo tags converted; unknown ones removed and reported.

    site_values(name) gives a Hugo site parameter ({{< param >}}); reference(target) the
    address a relref or ref names.
    """
    if "highlight" in body:  # the patterns are slow to try everywhere
        body = _HIGHLIGHT_START.sub(lambda m: f"\n```{m.group(1) or m.group(2)}\n", body)
        body = _HIGHLIGHT_END.sub("\n```", body)
    if "{" not in body:
        return body  # no Liquid, no shortcode, no attribute list
    context = _Context(report, table(generator), table("jekyll"), site_values, reference)
    if "{{" in body and "/" in body:
        body = outside_fences(body, lambda prose: _paired(prose, context))
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
            out.append(_convert_line(line[: start.start()], context) + _RAW_END.sub("", after))
            continue
        if _IAL_LINE.match(line):
            report.notes["kramdown attribute list removed ({: ...})"] += 1
            continue
        out.append(_convert_line(line, context))
    return "\n".join(out)


class _Context:
    """What converting one body needs: the report, both tables, the site's values and links."""

    def __init__(self, report, hugo, jekyll, site_values, reference):
        self.report, self.hugo, self.jekyll = report, hugo, jekyll
        self.site_values = site_values or (lambda _name: None)
        self.reference = reference


def outside_fences(body: str, convert: Callable[[str], str]) -> str:
    """Return the body with each stretch outside code fences passed through convert."""
    parts, prose, fence = [], [], None
    for line in body.split("\n"):
        opening = _FENCE.match(line)
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
            parts.append(line)
        elif opening:
            fence = opening.group(1)
            if prose:
                parts.append(convert("\n".join(prose)))
                prose = []
            parts.append(line)
        else:
            prose.append(line)
    if prose:
        parts.append(convert("\n".join(prose)))
    return "\n".join(parts)


def _paired(prose: str, context: _Context) -> str:
    """Replace each shortcode of the table that encloses text ({{% alert %}}…{{% /alert %}})."""

    def closing(opening: re.Match) -> re.Pattern:
        template = context.hugo.get(opening.group(1).lower(), "")
        return _closing_tag(opening.group(1).lower()) if "{inner}" in template else _NEVER

    def replace(opening: re.Match, inner: str, _whole: str) -> str:
        name = opening.group(1).lower()
        positional, named = _arguments(opening.group(2))
        return "\n\n" + fill(context.hugo[name], name, positional, named, inner) + "\n\n"

    return sub_enclosed(prose, _PAIRED_OPENING, closing, replace)


def _convert_line(line: str, context: _Context) -> str:
    if "{" not in line:
        return line
    report = context.report
    line = _SHORTCODE.sub(lambda m: _shortcode(m, context), line)
    line = _LIQUID.sub(lambda m: _liquid(m, context), line)
    line = _OUTPUT.sub(lambda m: _output(m, report), line)
    if _IAL_INLINE.search(line):
        report.notes["kramdown attribute list removed ({: ...})"] += 1
        line = _IAL_INLINE.sub("", line)
    return line


def _output(match: re.Match, report: Report) -> str:
    inner = match.group(1).removeprefix("-").removesuffix("-")  # {{- x -}} trims whitespace
    if " ".join(inner.split()) in SITE_ADDRESS:
        return ""
    return _removed("{{ " + inner.split("|")[0].strip() + " }}", report)


def _removed(name: str, report: Report) -> str:
    """A tag with no rendering here: out of the text, named once in the report."""
    report.notes[f"template tag removed, nothing here renders it: {name}"] += 1
    return ""


def _liquid(match: re.Match, context: _Context) -> str:
    name = match.group(1).lower()
    positional, named = _arguments(match.group(2).strip().removesuffix("-"))
    key = f"include {positional[0]}" if name == "include" and positional else name
    for candidate in (key, name):
        if candidate in context.jekyll:
            return fill(context.jekyll[candidate], name, positional, named)
    if name in ("post_url", "link") and positional and context.reference:
        return context.reference(positional[0])  # the linked post's address
    return _removed(f"{{% {key} %}}", context.report)


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


def _shortcode(match: re.Match, context: _Context) -> str:
    closing, name, rest = match.group(2), match.group(3).lower(), match.group(4)
    report = context.report
    if closing:  # the end of a shortcode that encloses text: the text stays
        return _removed(f"{{{{< /{name} >}}}}", report)
    positional, named = _arguments(rest)
    if name in context.hugo:
        return fill(context.hugo[name], name, positional, named)
    first = named.get("id") or (positional[0] if positional else "")
    if name in ("relref", "ref") and first and context.reference:
        return context.reference(first)
    if name == "param" and first:
        value = context.site_values(first)
        if value is not None:
            return value
        return _removed(f"{{{{< param {first} >}}}} (not in the site's config)", report)
    if name == "youtube" and first and named.get("title"):
        # As an iframe with its title: the renderer makes it our embed, titled so.
        return (
            f'\n\n<iframe src="https://www.youtube.com/embed/{html.escape(first)}" '
            f'title="{html.escape(named["title"])}"></iframe>\n\n'
        )
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
    return _removed(f"{{{{< {name} >}}}}", report)
