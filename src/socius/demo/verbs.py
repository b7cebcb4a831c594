"""Labels of the verbs the demo story uses and no context appends yet.

When a context comes to own one of these verbs (care, collab, commerce), it registers the
label itself and the line here goes.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from socius.core.verbs import register_verbs

register_verbs(
    {
        "shop.purchase": _("Purchase"),
        "shop.ticket_scanned": _("Ticket scanned at the gate"),
        "marketing.newsletter_signup": _("Newsletter sign-up"),
        "marketing.email_opened": _("Marketing email opened"),
        "care.message_received": _("Message received"),
        "care.reply_sent": _("Reply sent"),
        "care.internal_note": _("Internal note"),
        "loyalty.card_created": _("Loyalty card created"),
        "loyalty.points_earned": _("Loyalty points earned"),
        "collab.post_created": _("Post published"),
        "collab.comment_created": _("Comment added"),
    }
)
