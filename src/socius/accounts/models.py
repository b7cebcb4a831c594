from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from socius.accounts.roles import Capability, Role, role_has


class Department(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        # Everyone goes through the service so that each employee also gets their Person.
        from socius.accounts.services import EmployeeIn, employee_create

        return employee_create(
            data=EmployeeIn(
                email=email,
                full_name=extra.pop("full_name", "") or email.split("@")[0],
                department_slug=extra.pop("department_slug", ""),
                role=extra.pop("role", Role.EMPLOYEE),
                password=password,
            )
        )

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra["role"] = Role.ADMIN
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """An employee who signs in. Customers sign in to the portal as persons, not users."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.EMPLOYEE)
    person = models.OneToOneField(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="user"
    )
    language = models.CharField(
        max_length=8,
        blank=True,
        help_text=_("The language of the emails this employee receives; empty: the default."),
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text=_("May open the Django admin."))
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def can(self, capability: Capability) -> bool:
        return self.is_active and role_has(self.role, capability)

    @property
    def is_admin(self) -> bool:
        return self.can(Capability.MANAGE_ACCOUNTS)


class ApiToken(models.Model):
    """A bearer token for integrations; only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, help_text=_("Shown to recognise the token."))
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class LoginFailure(models.Model):
    """One failed sign-in, kept briefly to throttle guessing by account and by address."""

    account_key = models.CharField(max_length=64)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["account_key", "occurred_at"], name="loginfailure_account"),
            models.Index(fields=["ip_address", "occurred_at"], name="loginfailure_ip"),
        ]

    def __str__(self) -> str:
        return f"{self.account_key[:8]} at {self.occurred_at:%Y-%m-%d %H:%M}"
