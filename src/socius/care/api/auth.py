"""The two scopes of the customer-care API (tokens of employees who work cases)."""

from __future__ import annotations

from socius.accounts.api_auth import TokenAuth

READ, WRITE = TokenAuth("care:read"), TokenAuth("care:write")
