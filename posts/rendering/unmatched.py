"""An inline rule that passes over "[" and "![" with no "]" after them, as plain text, at once.

markdown-it tries every "[" as the start of a link: it scans on for the closing "]", trying
each character on the way as the start of some other markup, twenty levels deep. With no
"]" anywhere after it, every such try fails, at a cost of tens of microseconds a bracket
(1 MB of "[" took 31 s). A link, an image and a footnote reference all need a "]" after
their "[", so where none follows, the "[" (or "![") is text whatever surrounds it: this rule
says so first, and the HTML is the same as markdown-it's own, byte for byte.

Imports nothing above posts.rendering.
"""

import re

_RUN = re.compile(r"[\[!]*\[")


def _last_close(state) -> int:
    """Return the position of the last "]" before state.posMax, looked for once per range."""
    # An attribute, not state.__dict__: reading an object's __dict__ on Python 3.11 makes every
    # later attribute of it slower, and markdown-it reads the state's thousands of times.
    try:
        cache = state.unmatched_last_close
    except AttributeError:
        cache = state.unmatched_last_close = {}
    found = cache.get(state.posMax)
    if found is None:
        found = cache[state.posMax] = state.src.rfind("]", 0, state.posMax)
    return found


def unmatched_brackets(state, silent: bool) -> bool:
    """Take a run of "[" and "!" that no "]" follows as text; leave other runs to the link rules.

    The whole run at once: markdown-it adds text a character at a time to a string it copies
    each time, and a run taken bracket by bracket cost time in the square of its length.
    """
    pos = state.pos
    if not state.src.startswith(("[", "!["), pos) or _last_close(state) > pos:
        return False
    run = _RUN.match(state.src, pos, state.posMax)
    if run is None:  # "![" cut by posMax: one character, as markdown-it would take it
        return False
    if not silent:
        state.pending += run.group()
    state.pos = run.end()
    return True


def unmatched_plugin(md) -> None:
    """Run unmatched_brackets before markdown-it's link, image and footnote rules."""
    md.inline.ruler.before("link", "unmatched_brackets", unmatched_brackets)
