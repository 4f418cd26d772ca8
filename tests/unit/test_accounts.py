"""Account rules that the web and API tests don't reach directly."""

from __future__ import annotations

from argon2 import PasswordHasher

from forum import accounts


def test_passwords_are_stored_as_argon2id_hashes(make):
    user = make.make_user()
    assert user.password_hash.startswith("$argon2id$")
    assert accounts.authenticate(user.email.upper(), "correct horse battery staple") == user


def test_production_hasher_uses_argon2_default_cost():
    default = PasswordHasher()
    assert (default.memory_cost, default.time_cost) >= (65536, 2)
    assert accounts.TEST_HASHER.memory_cost < default.memory_cost  # only the test app uses the cheap one


def test_a_new_password_ends_sessions_and_revokes_api_tokens(make):
    user = make.make_user()
    token = accounts.create_api_token(user)
    browser = make.session_key_for(user)
    user.current_session_id = None  # changed from elsewhere (a reset link), not from that browser
    accounts.set_password(user, "an entirely new passphrase")
    assert accounts.user_for_api_token(token) is None
    assert accounts.load_session_user(browser) is None
    assert accounts.authenticate(user.email, "an entirely new passphrase") == user

