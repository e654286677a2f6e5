"""Server-rendered SVG charts: bars for views, a line for visitors, bars up and down for the
newsletter's sign-ups and unsubscribes; no script, no CDN.

Colours come from CSS classes (stats/static/stats/stats.css) using the admin's own
variables, so the charts follow its light and dark themes under the site's CSP.
"""

from typing import TYPE_CHECKING

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from stats.reports import Day

if TYPE_CHECKING:
    from subscribers.reports import NewsletterDay

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 64, 8, 14, 34


def _nice_ceiling(value: int) -> int:
    if value <= 5:
        return 5
    step = 10 ** (len(str(value)) - 1)
    for factor in (1, 2, 2.5, 5, 10):
        ceiling = int(step * factor)
        if ceiling >= value:
            return ceiling
    return value


def day_chart(series: list[Day], label: str) -> SafeString:
    """Return an SVG chart of views (bars) and visitors (line) per day, with its summary."""
    days = len(series)
    ceiling = _nice_ceiling(max((day.views for day in series), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(days, 1)
    bar = max(slot * 0.7, 0.6)

    def y(value: int) -> float:
        return TOP + plot_h - plot_h * value / ceiling

    def n(value: float) -> str:  # format_html escapes its arguments into text first
        return f"{value:.1f}"

    bars = format_html_join(
        "",
        '<rect class="views" x="{}" y="{}" width="{}" height="{}">'
        "<title>{}: {} views, {} visitors</title></rect>",
        (
            (n(LEFT + i * slot + (slot - bar) / 2), n(y(d.views)), n(bar),
             n(TOP + plot_h - y(d.views)), d.day.isoformat(), d.views, d.visitors)
            for i, d in enumerate(series)
        ),
    )  # fmt: skip
    points = " ".join(
        f"{LEFT + i * slot + slot / 2:.1f},{y(d.visitors):.1f}" for i, d in enumerate(series)
    )
    grid = format_html_join(
        "",
        '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"></line>'
        '<text class="axis" x="{}" y="{}" text-anchor="end">{}</text>',
        (
            (LEFT, WIDTH - RIGHT, n(y(value)), n(y(value)), LEFT - 6, n(y(value) + 4), value)
            for value in (0, ceiling // 2, ceiling)
        ),
    )
    step = max(1, days // 6)
    ticks = format_html_join(
        "",
        '<text class="axis" x="{}" y="{}" text-anchor="middle">{}</text>',
        (
            (n(LEFT + i * slot + slot / 2), HEIGHT - 8, d.day.strftime("%b %d"))
            for i, d in enumerate(series)
            if i % step == 0
        ),
    )
    total_views = sum(day.views for day in series)
    total_visitors = sum(day.visitors for day in series)
    return format_html(
        '<figure class="stats-chart">'
        '<svg viewBox="0 0 {} {}" role="img" aria-label="{}">{}{}{}'
        '<polyline class="visitors" points="{}"></polyline></svg>'
        '<figcaption><span class="key views">Views</span> {} · '
        '<span class="key visitors">Visitors a day, summed</span> {}</figcaption>'
        "</figure>",
        WIDTH, HEIGHT,
        f"{label}: {total_views} views and {total_visitors} daily visitors over {days} days",
        grid, bars, ticks, points, total_views, total_visitors,
    )  # fmt: skip


def newsletter_chart(series: "list[NewsletterDay]", label: str) -> SafeString:
    """Return an SVG chart of sign-ups (bars up) and unsubscribes (bars down) per day."""
    days = len(series)
    ceiling = _nice_ceiling(max((max(d.confirmed, d.unsubscribed) for d in series), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    half = plot_h / 2
    zero = TOP + half
    slot = plot_w / max(days, 1)
    bar = max(slot * 0.7, 0.6)

    def n(value: float) -> str:
        return f"{value:.1f}"

    def tall(value: int) -> float:
        return half * value / ceiling

    x = [LEFT + i * slot + (slot - bar) / 2 for i in range(days)]
    bars = format_html_join(
        "",
        '<g><title>{}: {} confirmed, {} unsubscribed</title>'
        '<rect class="signups" x="{}" y="{}" width="{}" height="{}"></rect>'
        '<rect class="unsubscribes" x="{}" y="{}" width="{}" height="{}"></rect></g>',
        (
            (d.day.isoformat(), d.confirmed, d.unsubscribed,
             n(x[i]), n(zero - tall(d.confirmed)), n(bar), n(tall(d.confirmed)),
             n(x[i]), n(zero), n(bar), n(tall(d.unsubscribed)))
            for i, d in enumerate(series)
        ),
    )  # fmt: skip
    # The axis reads upward for sign-ups and downward for unsubscribes: both sides count up.
    grid = format_html_join(
        "",
        '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"></line>'
        '<text class="axis" x="{}" y="{}" text-anchor="end">{}</text>',
        (
            (LEFT, WIDTH - RIGHT, n(y), n(y), LEFT - 6, n(y + 4), value)
            for y, value in ((TOP, ceiling), (zero, 0), (TOP + plot_h, ceiling))
        ),
    )
    step = max(1, days // 6)
    ticks = format_html_join(
        "",
        '<text class="axis" x="{}" y="{}" text-anchor="middle">{}</text>',
        (
            (n(LEFT + i * slot + slot / 2), HEIGHT - 8, d.day.strftime("%b %d"))
            for i, d in enumerate(series)
            if i % step == 0
        ),
    )
    confirmed = sum(d.confirmed for d in series)
    unsubscribed = sum(d.unsubscribed for d in series)
    return format_html(
        '<figure class="stats-chart newsletter-chart">'
        '<svg viewBox="0 0 {} {}" role="img" aria-label="{}">{}{}{}</svg>'
        '<figcaption><span class="key signups">Sign-ups confirmed</span> {} · '
        '<span class="key unsubscribes">Unsubscribes</span> {}</figcaption>'
        "</figure>",
        WIDTH, HEIGHT,
        f"{label}: {confirmed} sign-ups confirmed and {unsubscribed} unsubscribes over {days} days",
        grid, bars, ticks, confirmed, unsubscribed,
    )  # fmt: skip
