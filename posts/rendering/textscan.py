"""Replacing opening ... closing stretches of untrusted text in time linear in its length.

A pattern such as `<pre\\b.*?</pre>` scans to the end of the text from every opening that is
never closed: a post of n such openings costs n² steps, and 1 MB of them took hours. Here
each closing is looked for once from an opening, and once it is known to be absent past one
point it is not looked for again past a later one.
"""

import re
from collections.abc import Callable, Iterator

# repl(opening match, text between, whole stretch from the opening to the end of its closing)
Replace = Callable[[re.Match, str, str], str]


def sub_enclosed(
    text: str,
    opening: re.Pattern,
    closing: re.Pattern | Callable[[re.Match], re.Pattern],
    repl: Replace,
    *,
    optional: bool = False,
    opening_ends: str = "",
) -> str:
    """Replace each stretch from an opening to the first closing after it, as `.*?` would.

    closing is a pattern, or a function of the opening's match giving one (`[/code]` for
    `[code]`). An opening never closed is left as it is or, when optional, replaced alone
    (with "" between). Openings inside a replaced stretch are part of it. opening_ends names
    the character an opening pattern stops at (">" for `<pre\\b[^>]*+>`): see sub_tags.
    """
    limit = text.rfind(opening_ends) + 1 if opening_ends else len(text)
    absent: set[re.Pattern] = set()  # closings not found after the point they were sought from
    out, kept_from, search_from = [], 0, 0
    while (start := opening.search(text, search_from, limit)) is not None:
        end_pattern = closing if isinstance(closing, re.Pattern) else closing(start)
        end = None if end_pattern in absent else end_pattern.search(text, start.end())
        if end is None:
            absent.add(end_pattern)
            if not optional:
                search_from = start.start() + 1
                continue
        stop = end.end() if end else start.end()
        inner = text[start.end() : end.start()] if end else ""
        out.append(text[kept_from : start.start()])
        out.append(repl(start, inner, text[start.start() : stop]))
        kept_from = search_from = stop
    out.append(text[kept_from:])
    return "".join(out)


def sub_tags(pattern: re.Pattern, repl, text: str, end: str = ">") -> str:
    """pattern.sub(repl, text) for a tag pattern that runs to the first end after it.

    Every opening before the text's last end matches up to the next one; past it none can,
    and each would scan to the end of the text: that part is left out of the search.
    """
    cut = text.rfind(end) + 1
    return pattern.sub(repl, text[:cut]) + text[cut:]


def tag_matches(
    head: re.Pattern, pattern: re.Pattern, text: str, end: str = ">"
) -> Iterator[re.Match]:
    """Yield pattern's matches in text, each from a tag's start (head) to at most its end.

    The same matches as pattern.finditer(text) for a pattern `<img\\b[^>]*?\\bsrc…`, whose
    every opening would scan to the next ">" (or the end of the text): from each of
    "<img a<img a…" to the same place. Here each stretch is read once.
    """
    pos, stop = 0, -1
    while (start := head.search(text, pos)) is not None:
        # Openings before the same end share it: "<img a<img a…>" is searched once, not
        # from every opening to the same ">" (or to the end of the text, when none follows).
        if stop < start.end():
            stop = text.find(end, start.end())
            if stop == -1:
                stop = len(text)  # a tag cut short still counts, as the pattern's "[^>]*" said
        found = pattern.match(text, start.start(), stop + 1)
        if found is None:
            # Any later opening before stop ends at the same place: none matches either.
            pos = stop + 1
        else:
            yield found
            pos = found.end()


def sub_tag_matches(
    head: re.Pattern, pattern: re.Pattern, repl: Callable[[re.Match], str], text: str
) -> str:
    """pattern.sub(repl, text), with the matches of tag_matches."""
    out, kept_from = [], 0
    for found in tag_matches(head, pattern, text):
        out += [text[kept_from : found.start()], repl(found)]
        kept_from = found.end()
    out.append(text[kept_from:])
    return "".join(out)
