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
    request_password_reset,
    set_password,
    set_role,
    update_profile,
    use_password_hasher,
    user_for_api_token,
)

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
    """The password hasher (a fast one in tests), the sign-in, identity-provider and token pages, and the API."""
    from argon2 import PasswordHasher

    from forum.accounts import api, pages

    use_password_hasher(TEST_HASHER if app.config["TESTING"] else PasswordHasher())
    api.init_app(app)
    pages.init_app(app)
