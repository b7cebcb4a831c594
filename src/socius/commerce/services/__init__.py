"""Every write of group buying: offers, groups, payments and their settlement."""

from socius.commerce.services.groups import JoinOutcome, Party, group_join, group_open
from socius.commerce.services.lifecycle import (
    deadlines_run,
    group_cancel,
    group_close,
    participant_withdraw,
    payments_sweep,
    reminders_send,
    reservations_expire,
)
from socius.commerce.services.offers import (
    OfferData,
    offer_archive,
    offer_create,
    offer_publish,
    offer_update,
)
from socius.commerce.services.payments import payment_event_apply

__all__ = [
    "JoinOutcome",
    "OfferData",
    "Party",
    "deadlines_run",
    "group_cancel",
    "group_close",
    "group_join",
    "group_open",
    "offer_archive",
    "offer_create",
    "offer_publish",
    "offer_update",
    "participant_withdraw",
    "payment_event_apply",
    "payments_sweep",
    "reminders_send",
    "reservations_expire",
]
