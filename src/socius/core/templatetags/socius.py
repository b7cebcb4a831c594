from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from socius.core.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return render_markdown(text)


@register.filter(name="verb_label")
def verb_label_filter(verb: str) -> str:
    from socius.core.verbs import verb_label

    return verb_label(verb)
