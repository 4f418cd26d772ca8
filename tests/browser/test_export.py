"""Data export in Chromium (issue 20): a member asks for their data, the worker builds it, and the ZIP they
download holds their post."""

from __future__ import annotations

import zipfile

from playwright.sync_api import expect


def test_a_member_requests_their_data_and_downloads_a_zip_with_their_post(visitor, data):
    member = data.make_user(username="exporter")
    thread = data.make_thread(author=member, title="Modem reboots at midnight",
                              body="Every night at 00:00 the modem reboots by itself. EXPORT-MARKER")

    person = visitor()
    page = person.sign_in("exporter@example.com")
    person.open("/settings/privacy")
    page.get_by_role("button", name="Request my data").click()
    expect(page.get_by_text("We are putting your archive together")).to_be_visible()
    expect(page.locator("progress#export-progress")).to_be_visible()

    assert data.run_jobs() >= 1
    person.open("/settings/privacy")
    link = page.get_by_role("link", name="Download your data")
    expect(link).to_be_visible()
    expect(page.get_by_text("available until")).to_be_visible()
    expect(page.locator("progress")).to_have_count(0)

    with page.expect_download() as started:
        link.click()
    download = started.value
    assert download.suggested_filename.startswith("horseshoe-data-") and download.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(download.path()) as archive:
        posts = [name for name in archive.namelist() if name.startswith(f"posts/{thread.id}-")]
        assert len(posts) == 1
        text = archive.read(posts[0]).decode()
    assert "# Modem reboots at midnight" in text and "EXPORT-MARKER" in text
    person.assert_clean()
