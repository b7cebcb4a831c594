"""The people API: one router per area, joined under /api/v1/people."""

from ninja import Router

from socius.people.api import duplicates, interactions, merges, persons, privacy

router = Router(tags=["people"])
# Fixed paths (interactions, merges, duplicates, search) before /{person_id}: matched first.
router.add_router("", interactions.router)
router.add_router("", merges.router)
router.add_router("", duplicates.router)
router.add_router("", privacy.router)
router.add_router("", persons.router)
persons.add_search_route(router)  # GET /api/v1/people itself, without a trailing slash
