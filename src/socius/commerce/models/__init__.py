"""Group buying's tables: offers, group orders, payments, e-tickets and check-ins."""

from socius.commerce.models.groups import (
    GROUP_FINAL,
    GROUP_JOINABLE,
    GROUP_LIVE,
    HOLDING_SEATS,
    SECURED,
    GroupOrder,
    GroupState,
    Participant,
    ParticipantState,
)
from socius.commerce.models.offers import Offer, OfferKind, OfferStatus, PaymentMode, PriceTier
from socius.commerce.models.payments import (
    PAYMENT_RANK,
    Payment,
    PaymentState,
    Reconciliation,
    SandboxCall,
    SandboxIntent,
    WebhookEvent,
)
from socius.commerce.models.tickets import CheckIn, CheckInResult, Gate, Ticket, TicketState

__all__ = [
    "GROUP_FINAL",
    "GROUP_JOINABLE",
    "GROUP_LIVE",
    "HOLDING_SEATS",
    "PAYMENT_RANK",
    "SECURED",
    "CheckIn",
    "CheckInResult",
    "Gate",
    "GroupOrder",
    "GroupState",
    "Offer",
    "OfferKind",
    "OfferStatus",
    "Participant",
    "ParticipantState",
    "Payment",
    "PaymentMode",
    "PaymentState",
    "PriceTier",
    "Reconciliation",
    "SandboxCall",
    "SandboxIntent",
    "Ticket",
    "TicketState",
    "WebhookEvent",
]
