from __future__ import annotations

from socius.people.views import duplicates, imports, merges, persons, privacy

app_name = "people"

# Each area keeps its own routes; fixed paths come before /<person_id>/ patterns.
urlpatterns = [
    *imports.urlpatterns,
    *merges.urlpatterns,
    *duplicates.urlpatterns,
    *privacy.urlpatterns,
    *persons.urlpatterns,
]
