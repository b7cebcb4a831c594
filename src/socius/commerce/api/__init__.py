"""The commerce API under /api/v1/commerce: offers, group orders, check-in."""

from ninja import Router

from socius.commerce.api.checkin import router as checkin_router
from socius.commerce.api.groups import router as groups_router
from socius.commerce.api.offers import router as offers_router
from socius.commerce.api.staff import router as staff_router

router = Router(tags=["commerce"])
router.add_router("", offers_router)
router.add_router("", groups_router)
router.add_router("", checkin_router)
router.add_router("", staff_router)
