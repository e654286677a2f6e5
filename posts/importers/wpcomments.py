"""A WordPress export's <wp:comment>s as ImportedComments, their HTML as plain Markdown.

WordPress stores a comment as the HTML its visitor could type (links, emphasis, code, quotes)
with newlines for paragraphs. That becomes the comments app's small Markdown subset: what
Markdown would read as syntax in the visitor's words is escaped, tags nobody can render go with
their markup (their text stays), scripts and styles go whole. The comments app renders and
sanitises the result again. Imports posts.signals (the record) and the importers' records.
"""

import re
from datetime import datetime
from html.parser import HTMLParser

from posts.importers.records import aware
from posts.signals import ImportedComment

SAFE_SCHEMES = ("http://", "https://", "mailto:")
_SPECIAL = re.compile(r"([\\`*_\[\]<>~|])")
_LINE_START = re.compile(r"^(\s*\d*)([#>+-]|(?<=\d)[.)])(?=\s|$)", re.MULTILINE)
_BLANKS = re.compile(r"\n{3,}")
MENTION_TYPES = {"pingback", "trackback"}


def _escape(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text)


class _ToMarkdown(HTMLParser):
    """Collect a comment's HTML as Markdown: a stack of buffers for links and quotes."""

    MARKS = {"em": "*", "i": "*", "strong": "**", "b": "**", "del": "~~", "s": "~~"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, list[str], str]] = [("", [], "")]
        self.skipping = 0  # inside <script> or <style>
        self.in_code = 0

    @property
    def out(self) -> list[str]:
        return self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skipping += 1
        elif tag in self.MARKS:
            self.out.append(self.MARKS[tag])
        elif tag == "code":
            self.in_code += 1
            self.out.append("`")
        elif tag == "br":
            self.out.append("\\\n")
        elif tag in ("p", "div", "ul", "ol"):
            self.out.append("\n\n")
        elif tag == "li":
            self.out.append("\n- ")
        elif tag == "a":
            href = (dict(attrs).get("href") or "").strip()
            safe = href.lower().startswith(SAFE_SCHEMES) and not re.search(r"[\s<>()]", href)
            self.stack.append(("a", [], href if safe else ""))
        elif tag == "blockquote":
            self.stack.append(("blockquote", [], ""))

    def handle_startendtag(self, tag, attrs):
        if tag == "br":
            self.out.append("\\\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.MARKS:
            self.out.append(self.MARKS[tag])
        elif tag == "code" and self.in_code:
            self.in_code -= 1
            self.out.append("`")
        elif tag in ("p", "div", "ul", "ol"):
            self.out.append("\n\n")
        elif tag in ("a", "blockquote") and self.stack[-1][0] == tag:
            self._close()

    def _close(self) -> None:
        tag, parts, href = self.stack.pop()
        text = "".join(parts).strip()
        if tag == "a":
            self.out.append(f"[{text or _escape(href)}]({href})" if href else text)
        else:
            quoted = "\n".join(f"> {line}" if line else ">" for line in text.splitlines())
            self.out.append(f"\n\n{quoted}\n\n")

    def handle_data(self, data):
        if self.skipping:
            return
        if self.in_code:
            self.out.append(data.replace("`", "'"))
        else:
            self.out.append(_LINE_START.sub(r"\1\\\2", _escape(data)))

    def result(self) -> str:
        while len(self.stack) > 1:  # tags never closed: their text stays
            self._close()
        return _BLANKS.sub("\n\n", "".join(self.out)).strip()


def comment_markdown(content: str) -> str:
    """Return a WordPress comment's HTML as the comments app's Markdown subset."""
    # A newline in WordPress's comment is a line break, two are a paragraph (wpautop).
    content = re.sub(r"(?<!\n)\n(?!\n)", "<br>", content.replace("\r\n", "\n").strip())
    parser = _ToMarkdown()
    parser.feed(content)
    parser.close()
    return parser.result()


def _time(values: dict) -> datetime | None:
    for key, zone in (("comment_date_gmt", "+00:00"), ("comment_date", "")):
        value = values.get(key, "").strip()
        if value and not value.startswith("0000"):
            try:
                return aware(datetime.fromisoformat(value.replace(" ", "T") + zone))
            except ValueError:
                continue
    return None


def read_comment(values: dict) -> tuple[ImportedComment | None, str]:
    """Return a <wp:comment>'s record, or None and why it stays out (spam, trash)."""
    approved = values.get("comment_approved", "").strip()
    if approved in ("spam", "trash", "post-trashed"):
        return None, approved.replace("post-trashed", "trash")
    comment_id = values.get("comment_id", "").strip()
    if not comment_id:
        return None, "no comment id"
    parent = values.get("comment_parent", "").strip()
    website = values.get("comment_author_url", "").strip()
    email = values.get("comment_author_email", "").strip()
    kind = values.get("comment_type", "").strip()
    name = " ".join(values.get("comment_author", "").split())
    return ImportedComment(
        key=f"wordpress:{comment_id}",
        parent_key=f"wordpress:{parent}" if parent not in ("", "0") else "",
        kind="mention" if kind in MENTION_TYPES else "comment",
        approved=approved == "1",
        name=name[:100] or "Anonymous",
        email=email[:254] if re.fullmatch(r"[^@\s]+@[^@\s]+", email) else "",
        website=website[:500] if website.lower().startswith(("http://", "https://")) else "",
        body=comment_markdown(values.get("comment_content", "")),
        created_at=_time(values),
    ), ""
