"""/tickets/: the customer's e-tickets (the portal's list, or a participant's private link)."""

from django.urls import path, re_path

from socius.commerce.views import tickets

app_name = "tickets"
urlpatterns = [
    path("", tickets.mine, name="mine"),
    path("mine/<uuid:tid>.pdf", tickets.mine_ticket_pdf, name="mine-ticket-pdf"),
    re_path(r"^(?P<token>[A-Za-z0-9_-]{20,64})/$", tickets.participant_page, name="participant"),
    re_path(
        r"^(?P<token>[A-Za-z0-9_-]{20,64})/tickets\.pdf$",
        tickets.participant_pdf,
        name="participant-pdf",
    ),
    path(
        "<str:token>/<uuid:tid>.pdf",
        tickets.participant_ticket_pdf,
        name="participant-ticket-pdf",
    ),
]
