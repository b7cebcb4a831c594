"""/gate/: the staff's ticket scanner and the JSON endpoints its script calls."""

from django.urls import path

from socius.commerce.views import gate

app_name = "gate"
urlpatterns = [
    path("", gate.gate_list, name="list"),
    path("<slug:slug>/", gate.gate_scanner, name="scanner"),
    path("<slug:slug>/scan", gate.gate_scan, name="scan"),
    path("<slug:slug>/sync", gate.gate_sync, name="sync"),
    path("<slug:slug>/offline", gate.gate_offline_data, name="offline-data"),
]
