from __future__ import annotations

from collections.abc import Callable

import pytest

from socius.accounts.models import User
from socius.accounts.roles import Role
from socius.conftest import make_employee


@pytest.fixture
def make_agent(cast) -> Callable[[str], User]:
    def make(email: str, department: str = "service-client") -> User:
        return make_employee(
            email, email.split("@")[0].replace(".", " ").title(), department, Role.AGENT
        )

    return make
