"""The two scopes of the collaboration API."""

from __future__ import annotations

from socius.accounts.api_auth import TokenAuth

READ, WRITE = TokenAuth("collab:read"), TokenAuth("collab:write")
