"""Links between imported posts, pointed at the entries' new addresses.

A body links to another post by the address the old site gave it (/blog/other-post/,
/2013/09/16/x.html, or a Hugo relref's /section/name/). Each such address that is an old
address of an imported entry (a Redirect) becomes that entry's address here: readers go
straight there, not through a redirect, and a link to an address nobody keeps no longer 404s.

The writer asks for each post's body as it plans the batch (the same rewrite on every run, so
a second import changes nothing), and at the end rewrites the entries that linked to a post
written in a later batch of the same import.
"""

import re
from urllib.parse import unquote

from django.conf import settings

from posts.models import Entry, Redirect
from posts.models.redirect import normalize_path

# A site-absolute address where a link's stands: after "](", a reference's "]:", or href=.
_LINK = re.compile(
    r"""(\]\(\s*+<?|^ {0,3}\[[^\[\]\n]++\]:[ \t]*+<?|\bhref=["'])(/(?!/)[^\s)>"'#?]*+)""", re.M
)


def _candidates(body: str) -> set[str]:
    if "](/" not in body and "]: /" not in body and "href=" not in body:
        return set()
    media = settings.MEDIA_URL
    return {m.group(2) for m in _LINK.finditer(body) if not m.group(2).startswith(media)}


_JEKYLL_DATED = re.compile(r"/(\d{4})/(\d{2})/(\d{2})/([^/]+?)(?:\.html|/)?$")


def _source_keys(path: str) -> list[str]:
    """The import keys a post at this address may have: a Hugo relref's /section/name/, or
    a Jekyll post_url's /…/2013/09/16/name.html (whatever categories the post had)."""
    name = unquote(path).strip("/")
    if not name:
        return []
    keys = [f"hugo:{name}.md", f"hugo:{name}/index.md"]
    dated = _JEKYLL_DATED.search(unquote(path))
    if dated:
        stem = "-".join(dated.groups())
        keys += [f"jekyll:{stem}.md", f"jekyll:{stem}.markdown"]
    return keys


class InternalLinks:
    """Old address -> new address of the imported entries, looked up a batch at a time."""

    def __init__(self):
        self.known: dict[str, str | None] = {}  # an old address -> the entry's, or None
        self.waiting: set[str] = set()  # slugs of entries with a link not found yet

    def prepare(self, bodies: list[str]) -> None:
        """Look up, in two queries at most, every site address these bodies link to."""
        wanted = {normalize_path(p) for body in bodies for p in _candidates(body)}
        self._look_up(wanted - self.known.keys())

    def _look_up(self, paths: set[str]) -> None:
        if not paths:
            return
        found = dict.fromkeys(paths)
        redirects = Redirect.objects.filter(old_path__in=paths, entry__isnull=False)
        for redirect in redirects.select_related("entry"):
            found[redirect.old_path] = redirect.entry.get_absolute_url()
        keys = {key: path for path in paths if not found[path] for key in _source_keys(path)}
        for entry in Entry.objects.filter(import_key__in=keys):
            found[keys[entry.import_key]] = entry.get_absolute_url()
        self.known.update(found)

    def rewrite(self, body: str, slug: str) -> str:
        """Return the body with each link to an imported post's old address made its new one."""
        if not self.known:
            return body

        def replace(match: re.Match) -> str:
            path = normalize_path(match.group(2))
            new = self.known.get(path)
            if new is None:
                if path in self.known:
                    self.waiting.add(slug)  # perhaps a post of a later batch
                return match.group(0)
            return match.group(1) + new

        return _LINK.sub(replace, body) if _candidates(body) else body

    def finish(self, dry_run: bool) -> None:
        """Rewrite the entries that link to posts written after them in this import."""
        if not self.waiting or dry_run:
            return
        self.known = {path: new for path, new in self.known.items() if new}
        unknown = set()
        entries = list(Entry.objects.filter(slug__in=self.waiting))
        for entry in entries:
            unknown |= {normalize_path(p) for p in _candidates(entry.body)} - self.known.keys()
        self._look_up(unknown)
        for entry in entries:
            body = self.rewrite(entry.body, entry.slug)
            if body != entry.body:
                entry.body = body
                entry.render()
                Entry.objects.filter(pk=entry.pk).update(
                    body=entry.body,
                    body_html=entry.body_html,
                    body_text=entry.body_text,
                    summary=entry.summary,
                )
