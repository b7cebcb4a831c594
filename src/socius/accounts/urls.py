from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from socius.accounts import views

app_name = "accounts"

urlpatterns = [
    path("sign-in", views.SignInView.as_view(), name="login"),
    path("sign-out", auth_views.LogoutView.as_view(), name="logout"),
    path("language", views.language_set, name="language-set"),
    path("password/reset", views.PasswordResetView.as_view(), name="password-reset"),
    path(
        "password/reset/sent",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password-reset-done",
    ),
    path(
        "password/reset/<uidb64>/<token>",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password-reset-complete"),
        ),
        name="password-reset-confirm",
    ),
    path(
        "password/reset/done",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password-reset-complete",
    ),
    path("tokens", views.token_list, name="token-list"),
    path("tokens/<int:token_id>/revoke", views.token_revoke, name="token-revoke"),
    path("admin/employees", views.employee_list, name="employee-list"),
    path("admin/employees/<int:employee_id>", views.employee_edit, name="employee-edit"),
    path("admin/departments", views.department_list, name="department-list"),
]
