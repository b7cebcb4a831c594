from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from socius.core.errors import Conflict, Forbidden, InvalidInput


class EmailAlreadyUsed(Conflict):
    code = "email_already_used"
    default_message = _("An employee already uses this email address.")


class UnknownScope(InvalidInput):
    code = "unknown_scope"
    default_message = _("Unknown API scope.")


class ScopeNotAllowed(Forbidden):
    code = "scope_not_allowed"
    default_message = _("Your role does not allow this API scope.")


class InvalidRole(InvalidInput):
    code = "invalid_role"
    default_message = _("Unknown role.")


class WeakPassword(InvalidInput):
    code = "weak_password"
    default_message = _("This password is too weak.")


class InvalidDepartment(InvalidInput):
    code = "invalid_department"
    default_message = _("A department needs a name and a slug of letters, digits and dashes.")
