"""Profiles and the signed-in user's profile settings."""

from __future__ import annotations

import pytest

from tests.web.helpers import text


def test_profile_shows_name_rank_role_join_date_bio_threads_and_replies(client, community, db):
    community.other.display_name = "Helpful Hana"
    community.other.bio = "I fix routers for fun."
    community.other.reputation = 250
    db.session.commit()
    page = text(client.get("/u/helper"))
    assert "Helpful Hana" in page and "@helper" in page and "Helper" in page
    assert "I fix routers for fun." in page and "Member since" in page
    assert "Recent activity" in page and "Charged twice for my plan" in page


def test_staff_profile_carries_a_staff_badge(client, community):
    page = text(client.get("/u/mod"))
    assert "badge-staff" in page and "Moderator" in page


def test_profile_lists_the_users_own_threads(client, community):
    page = text(client.get("/u/asker"))
    assert f'href="/t/{community.thread.id}/{community.thread.slug}"' in page


def test_unknown_user_is_a_404(client):
    assert client.get("/u/nobody-here").status_code == 404


def test_member_updates_their_profile(act_as, community, db):
    client = act_as("author")
    form = {"display_name": "Asker Alex", "bio": "Customer since 2019.", "time_zone": "Europe/Paris"}
    response = client.post("/settings/profile", data=form)
    assert response.status_code == 302 and response.headers["Location"] == "/u/asker"
    db.session.expire_all()
    assert (community.author.display_name, community.author.time_zone) == ("Asker Alex", "Europe/Paris")
    assert "Asker Alex" in text(client.get("/u/asker"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"time_zone": "Mars/Olympus"}, "Choose a time zone from the list."),
        ({"time_zone": ""}, "This field is required."),
        ({"display_name": "x" * 65}, "Field cannot be longer than 64 characters."),
        ({"bio": "x" * 2001}, "Field cannot be longer than 2000 characters."),
    ],
)
def test_bad_profile_input_shows_what_to_fix(act_as, community, db, change, message):
    form = {"display_name": "Fine", "bio": "", "time_zone": "UTC", **change}
    response = act_as("author").post("/settings/profile", data=form)
    assert response.status_code == 422 and message in text(response)
    db.session.expire_all()
    assert community.author.display_name == ""
