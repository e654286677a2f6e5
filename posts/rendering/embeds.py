"""Embeds from an allowlist: videos and slides as hardened iframes, everything else as a link.

A bare URL on a line of its own, or a raw <iframe> in the Markdown, becomes an embed only
when its provider is in BLOGSITE_EMBED_PROVIDERS. Nothing here makes a network call, and
no third-party script is ever let through: social posts and gists become link cards.
"""

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.utils.html import format_html

from posts.rendering.textscan import sub_enclosed

# Iframe attributes as tight as each kind of provider allows. Video players need scripts and
# their own origin (for their cookies-less storage); none gets top navigation or forms.
VIDEO_SANDBOX = "allow-scripts allow-same-origin allow-presentation allow-popups"
SLIDES_SANDBOX = "allow-scripts allow-same-origin allow-popups"
REFERRER_POLICY = "strict-origin-when-cross-origin"
ALLOW = "fullscreen; picture-in-picture; encrypted-media"


@dataclass(frozen=True)
class Provider:
    name: str
    kind: str  # "video", "slides", "code" (all iframes) or "card" (a link, never a script)
    hosts: tuple[str, ...]
    frame_origin: str = ""  # where its iframes load from; PeerTube's are its own hosts

    @property
    def sandbox(self) -> str:
        return VIDEO_SANDBOX if self.kind == "video" else SLIDES_SANDBOX


PROVIDERS = {
    "youtube": Provider(
        "YouTube", "video",
        ("youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be",
         "youtube-nocookie.com", "www.youtube-nocookie.com"),
        "https://www.youtube-nocookie.com",
    ),
    "vimeo": Provider("Vimeo", "video", ("vimeo.com", "www.vimeo.com", "player.vimeo.com"),
                      "https://player.vimeo.com"),
    "peertube": Provider("PeerTube", "video",
                         ("framatube.org", "peertube.tv", "tilvids.com", "video.blender.org")),
    "speakerdeck": Provider("Speaker Deck", "slides", ("speakerdeck.com",),
                            "https://speakerdeck.com"),
    "slideshare": Provider("SlideShare", "slides", ("slideshare.net", "www.slideshare.net"),
                           "https://www.slideshare.net"),
    "codepen": Provider("CodePen", "code", ("codepen.io",), "https://codepen.io"),
    "gist": Provider("GitHub Gist", "card", ("gist.github.com",)),
    "mastodon": Provider("Mastodon", "card",
                         ("mastodon.social", "fosstodon.org", "hachyderm.io", "mas.to",
                          "infosec.exchange", "mastodon.online")),
    "bluesky": Provider("Bluesky", "card", ("bsky.app",)),
    "x": Provider("X", "card", ("twitter.com", "www.twitter.com", "x.com", "mobile.twitter.com")),
}  # fmt: skip

URL_ALONE = re.compile(r"^<?(https?://[^\s<>]+)>?$")
YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{6,20}$")


def enabled_providers() -> dict[str, Provider]:
    """Return the allowlist: the providers named in BLOGSITE_EMBED_PROVIDERS, with their hosts.

    The setting maps a provider key to its host names (None or an empty list keeps ours),
    so a PeerTube or Mastodon instance of one's own is one line of settings.
    """
    configured = settings.BLOGSITE_EMBED_PROVIDERS
    providers = {}
    for key, hosts in configured.items():
        if key not in PROVIDERS:
            continue
        provider = PROVIDERS[key]
        if hosts:
            provider = Provider(provider.name, provider.kind, tuple(hosts), provider.frame_origin)
        providers[key] = provider
    return providers


def frame_sources() -> list[str]:
    """Return the origins our iframes may load from: the Content-Security-Policy frame-src."""
    sources = []
    for provider in enabled_providers().values():
        if provider.kind == "card":
            continue
        if provider.frame_origin:
            sources.append(provider.frame_origin)
        else:
            sources.extend(f"https://{host}" for host in provider.hosts)
    return sorted(set(sources))


def _provider_for(url: str) -> tuple[str, Provider] | None:
    host = (urlsplit(url).hostname or "").lower()
    for key, provider in enabled_providers().items():
        if host in provider.hosts:
            return key, provider
    return None


def _frame_url(key: str, url: str) -> str | None:
    """Return the iframe address for a page or player URL of a provider, or None."""
    parts = urlsplit(url)
    path = [segment for segment in parts.path.split("/") if segment]
    host = (parts.hostname or "").lower()
    if key == "youtube":
        video = None
        if host == "youtu.be" and path:
            video = path[0]
        elif path[:1] == ["watch"]:
            video = parse_qs(parts.query).get("v", [None])[0]
        elif len(path) >= 2 and path[0] in ("embed", "shorts", "live", "v"):
            video = path[1]
        if video and YOUTUBE_ID.match(video):
            return f"https://www.youtube-nocookie.com/embed/{video}"
        return None
    if key == "vimeo":
        numbers = [segment for segment in path if segment.isdigit()]
        return f"https://player.vimeo.com/video/{numbers[-1]}" if numbers else None
    if key == "peertube":
        video = None
        if len(path) == 2 and path[0] == "w":
            video = path[1]
        elif len(path) == 3 and path[0] == "videos" and path[1] in ("watch", "embed"):
            video = path[2]
        if video and re.fullmatch(r"[A-Za-z0-9-]{6,64}", video):
            return f"https://{host}/videos/embed/{video}"
        return None
    if key == "codepen":
        if len(path) >= 3 and path[1] in ("pen", "embed"):
            return f"https://codepen.io/{path[0]}/embed/{path[2]}?default-tab=result"
        return None
    if key == "speakerdeck":
        # Only the player address carries the deck's id; a page URL needs an oEmbed call.
        if len(path) == 2 and path[0] == "player" and re.fullmatch(r"[0-9a-f]{16,64}", path[1]):
            return f"https://speakerdeck.com/player/{path[1]}"
        return None
    if key == "slideshare":
        # A player address: /slideshow/embed_code/key/ID, or /slideshow/embed_code/ID of old.
        if "embed_code" in path and re.fullmatch(r"[A-Za-z0-9]+", path[-1]):
            return f"https://www.slideshare.net/slideshow/embed_code/key/{path[-1]}"
        return None
    return None


def iframe_html(provider: Provider, src: str, title: str = "") -> str:
    return format_html(
        '<div class="embed embed-{}"><iframe src="{}" title="{}" loading="lazy" sandbox="{}" '
        'allow="{}" allowfullscreen referrerpolicy="{}"></iframe></div>',
        provider.kind, src, title or f"{provider.name} {provider.kind}", provider.sandbox, ALLOW,
        REFERRER_POLICY,
    )  # fmt: skip


def link_card_html(url: str, label: str = "") -> str:
    """A quoted link: what a social post, a gist or an unknown embed becomes."""
    return format_html(
        '<blockquote class="embed-card"><p><a href="{}">{}</a></p></blockquote>',
        url, label or url,
    )  # fmt: skip


def embed_for_url(url: str, title: str = "") -> str | None:
    """Return embed HTML for a URL from an allowed provider: an iframe or a link card."""
    found = _provider_for(url)
    if found is None:
        return None
    key, provider = found
    if provider.kind == "card":
        return link_card_html(url, f"{provider.name}: {url}")
    src = _frame_url(key, url)
    if src is None:  # a provider page we cannot turn into a player without a network call
        return link_card_html(url, f"{provider.name}: {url}")
    return iframe_html(provider, src, title)


def is_allowed_frame_src(src: str) -> bool:
    """Return True if an iframe address is one that embed_for_url itself would write."""
    if not src.startswith("https://"):
        return False
    found = _provider_for(src)
    return found is not None and found[1].kind != "card" and _frame_url(found[0], src) == src


class _TagAttributes(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.attrs: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        self.attrs = {name: value or "" for name, value in attrs}


def _attributes(tag_html: str) -> dict[str, str]:
    parser = _TagAttributes()
    parser.feed(tag_html)
    parser.close()
    return parser.attrs


# Opening tags; what follows one up to its closing tag goes with it (sub_enclosed). The look
# for src stops at a "<": from each of "<script a<script a…" it would run to the next ">".
IFRAME = re.compile(r"<iframe\b[^>]*+>", re.IGNORECASE)
IFRAME_END = re.compile(r"</iframe\s*>", re.IGNORECASE)
SCRIPT_WITH_SRC = re.compile(r"<script\b(?=[^<>]*?\bsrc\s*=)[^>]*+>", re.IGNORECASE)
SCRIPT_END = re.compile(r"</script\s*>", re.IGNORECASE)


def _absolute(src: str) -> str:
    return "https:" + src if src.startswith("//") else src


def _rewrite_iframe(opening: re.Match, _inner: str, _whole: str) -> str:
    attrs = _attributes(opening.group(0))
    src = _absolute(attrs.get("src", "").strip())
    if not src.startswith(("https://", "http://")) or not urlsplit(src).hostname:
        return ""  # nothing to show and nothing to link to
    embed = embed_for_url(src, attrs.get("title", ""))
    if embed and "<iframe" in embed:
        return embed
    return link_card_html(src)  # an unknown player: the author's link survives, not the frame


def _rewrite_script(opening: re.Match, _inner: str, _whole: str) -> str:
    src = _absolute(_attributes(opening.group(0)).get("src", "").strip())
    found = _provider_for(src)
    if found and found[0] == "gist" and src.endswith(".js"):
        return link_card_html(src.removesuffix(".js"), f"GitHub Gist: {src.removesuffix('.js')}")
    return ""  # a widget script (tweets, toots): the quoted post before it stays as text


# What the rewriting made stands as a mark, NUL number NUL, until the end.
_MADE = re.compile("\x00(\\d+)\x00")
_IFRAME_LEFT = re.compile(r"<(?=iframe)", re.IGNORECASE)


def rewrite_raw_embeds(html: str) -> str:
    """Turn raw iframes and embed scripts into our embeds or plain links, before sanitising."""
    html = html.replace("\x00", "\ufffd")  # as markdown-it does: a NUL here would be a mark
    made = []

    def keep(rewrite):
        def replace(opening: re.Match, inner: str, whole: str) -> str:
            fragment = rewrite(opening, inner, whole)
            if not fragment:
                return ""  # what was around it joins here, and is looked at below
            made.append(fragment)
            return f"\x00{len(made) - 1}\x00"

        return replace

    html = sub_enclosed(
        html, IFRAME, IFRAME_END, keep(_rewrite_iframe), optional=True, opening_ends=">"
    )
    html = sub_enclosed(
        html, SCRIPT_WITH_SRC, SCRIPT_END, keep(_rewrite_script), optional=True, opening_ends=">"
    )
    # Taking tags out can join what was around them into a new one: "<ifr<iframe></iframe>ame
    # src=…>" became an iframe that none of our rules wrote. Any left now is text.
    html = _IFRAME_LEFT.sub("&lt;", html)
    return _MADE.sub(lambda mark: made[int(mark.group(1))], html)
