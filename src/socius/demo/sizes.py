"""How much data each ``--size`` builds."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Size:
    name: str
    staff_scale: int
    """Head count of each department's roles is multiplied by this (1 gives 40 employees)."""
    customer_persons: int
    """Person records of customers, duplicates included; employees' persons come on top."""
    activities: int
    """Customers' stories and colleagues' posts. The entries that resolution and account
    services append themselves (person.created, employee.created...) come on top."""
    uses_bulk_path: bool
    """Small goes through ``person_resolve`` like real traffic; bigger sizes insert in bulk."""


SIZES: dict[str, Size] = {
    "small": Size(
        "small", staff_scale=1, customer_persons=260, activities=3_000, uses_bulk_path=False
    ),
    "medium": Size(
        "medium", staff_scale=2, customer_persons=5_000, activities=50_000, uses_bulk_path=True
    ),
    # Employees are created one by one with a real Argon2 hash (about 0.2 s each), so the
    # large company keeps the medium staff.
    "large": Size(
        "large", staff_scale=2, customer_persons=100_000, activities=1_000_000, uses_bulk_path=True
    ),
}
