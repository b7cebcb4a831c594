"""What group buying refuses, each with a stable code clients branch on."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from socius.core.errors import Conflict, DomainError, InvalidInput, NotFound


class InvalidOffer(InvalidInput):
    code = "invalid_offer"
    default_message = _("This offer's terms are not consistent.")


class HoldWindowTooLong(InvalidInput):
    # Card holds lapse after about five days (Visa, merchant-initiated): a longer group
    # window must charge at once and refund on failure.
    code = "hold_window_too_long"
    default_message = _(
        "A group may stay open at most 120 hours when payments are held; "
        "choose the pay-now mode for a longer window."
    )


class OfferNotOnSale(Conflict):
    code = "offer_not_on_sale"
    default_message = _("This offer is not on sale.")


class OfferStateRefused(Conflict):
    code = "offer_state_refused"
    default_message = _("This offer cannot change that way now.")


class SoldOut(Conflict):
    code = "sold_out"
    default_message = _("Sold out: there are not enough seats left.")


class GroupClosed(Conflict):
    code = "group_closed"
    default_message = _("This group no longer accepts new participants.")


class GroupFull(Conflict):
    code = "group_full"
    default_message = _("This group has no room for that many seats.")


class InvalidShareToken(NotFound):
    code = "invalid_share_token"
    default_message = _("This invitation link is not valid.")


class TooManySeats(InvalidInput):
    code = "too_many_seats"
    default_message = _("Too many seats for one participant.")


class AlreadyInGroup(Conflict):
    code = "already_in_group"
    default_message = _("This person already takes part in this group.")


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"
    default_message = _("This idempotency key was already used for a different request.")


class PaymentUnavailable(DomainError):
    code = "payment_unavailable"
    status_code = 502
    default_message = _("The payment service could not be reached; nothing was charged.")


class GroupStateRefused(Conflict):
    code = "group_state_refused"
    default_message = _("This group cannot change that way now.")


class WithdrawalRefused(Conflict):
    code = "withdrawal_refused"
    default_message = _("This participation can no longer be withdrawn.")
