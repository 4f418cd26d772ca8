"""Accounts: registration, credentials, profiles and roles (members), with API tokens (tokens),
sign-in through an OpenID Connect provider (oidc, and oidc_tokens for talking to the provider) and
personal data in posts (personal_data, personal_data_moves) beside them; pages (auth, oidc, tokens)
and api (tokens, users) are its routes. Callers outside the package use the names re-exported here.
"""

from __future__ import annotations

from flask import Flask

from forum.accounts.members import (
    NO_PASSWORD,
    TEST_HASHER,
    ProfileChange,
    Registration,
    authenticate,
    count_users,
    create_api_token,
    get_user,
    get_user_by_username,
    hash_password,
    list_users,
    load_session_user,
    new_api_token,
    register_user,
    set_password,
    set_role,
    update_profile,
    use_password_hasher,
    user_for_api_token,
)
from forum.accounts.password_reset import request_password_reset

__all__ = [
    "NO_PASSWORD",
    "ProfileChange",
    "Registration",
    "TEST_HASHER",
    "authenticate",
    "count_users",
    "create_api_token",
    "get_user",
    "get_user_by_username",
    "hash_password",
    "list_users",
    "load_session_user",
    "new_api_token",
    "register_user",
    "request_password_reset",
    "set_password",
    "set_role",
    "update_profile",
    "use_password_hasher",
    "user_for_api_token",
]


def init_app(app: Flask) -> None:
    """The password hasher (a fast one in tests), the sign-in, identity-provider and token pages, the API,
    the job that forgets old IP addresses, the data-export jobs and the one that erases accounts due for deletion."""
    from argon2 import PasswordHasher

    from forum import hooks
    from forum.accounts import address_retention, api, data_export, deletion, pages

    use_password_hasher(TEST_HASHER if app.config["TESTING"] else PasswordHasher())
    hooks.register_job(address_retention.JOB, address_retention.forget_old_addresses,
                       every_s=lambda: address_retention.INTERVAL_S)
    hooks.register_job(data_export.BUILD_JOB, data_export.build_export)
    hooks.register_job(data_export.SWEEP_JOB, data_export.sweep_exports, every_s=lambda: data_export.SWEEP_INTERVAL_S)
    hooks.register_job(deletion.DUE_JOB, deletion.delete_due, every_s=lambda: deletion.DUE_INTERVAL_S)
    api.init_app(app)
    pages.init_app(app)
