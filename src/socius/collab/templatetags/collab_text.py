"""Template filters for what a post carries: linked mentions and topics, reactions.

``{% load collab_text %}`` then ``{{ post|post_html }}`` for a post of a list (its
mentions prefetched by ``selectors_posts.with_post_listing``), ``{{ text|rich_text:links }}``
with links prepared by a selector, and ``{{ summary|reaction_rows }}`` for the buttons.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from socius.collab.models import Post, Reaction
from socius.collab.selectors_posts import ReactionSummary, post_links
from socius.collab.text import Links, render_with_links

register = template.Library()

SYMBOLS = {
    Reaction.Kind.LIKE: "👍",
    Reaction.Kind.CELEBRATE: "🎉",
    Reaction.Kind.SUPPORT: "🤝",
    Reaction.Kind.INSIGHTFUL: "💡",
    Reaction.Kind.CURIOUS: "🤔",
}


@register.filter(name="rich_text")
def rich_text(text: str, links: Links | None) -> SafeString:
    return render_with_links(text, links)


@register.filter(name="post_html")
def post_html(post: Post) -> SafeString:
    return render_with_links(post.body, post_links(post))


@register.filter(name="reaction_rows")
def reaction_rows(summary: ReactionSummary) -> list[tuple[str, str, str, int, bool]]:
    """(kind, label, symbol, count, whether the reader reacts so) for every kind."""
    return [
        (
            kind,
            str(label),
            SYMBOLS[Reaction.Kind(kind)],
            summary.counts.get(kind, 0),
            kind in summary.mine,
        )
        for kind, label in Reaction.Kind.choices
    ]
