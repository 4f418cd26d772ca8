"""The audit log reads as sentences: who (linked) did what to which thing (linked where the reader may
open it), when in the reader's time zone, and what changed, in words."""

from __future__ import annotations

import ast
import html
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from forum import cases
from forum.core import clock
from forum.services import audit_writer, community_settings
from moderation.services import actions, audit_display, audit_labels
from moderation.services.suspensions import SuspensionInput, suspend_user
from tests.queries import count_statements
from tests.web.helpers import text

ROOT = Path(__file__).resolve().parents[2]


def _entry(page: str, entry_id: int) -> str:
    """One entry's markup, tags and all, with its words unescaped."""
    return html.unescape(page.split(f'id="a{entry_id}">', 1)[1].split("</li>", 1)[0])


def _words(markup: str) -> str:
    """What a sighted reader sees: no tags, no text for screen readers only, whitespace collapsed."""
    seen = re.sub(r'<span class="visually-hidden">[^<]*</span>', "", markup)
    return " ".join(re.sub(r"<[^>]+>", " ", seen).split())


def _last_id(db) -> int:
    from forum.models import AuditEntry
    return db.session.scalar(db.select(db.func.max(AuditEntry.id)))


def test_a_hidden_reply_reads_as_a_sentence_with_links_to_the_moderator_and_the_reply(act_as, community, db):
    actions.hide_post(community.moderator, community.reply, "Off topic")
    entry = _entry(text(act_as("moderator").get("/moderation/audit")), _last_id(db))
    assert _words(entry).startswith("mod hid a reply in “Charged twice for my plan” hidden")
    assert '<a href="/u/mod">mod</a>' in entry
    assert f'href="/t/{community.thread.id}/{community.thread.slug}#p{community.reply.id}"' in entry
    assert "Visibility Public → Hidden" in _words(entry) and "Reason: Off topic" in _words(entry)
    assert "Deleted" not in _words(entry)  # recorded before and after, unchanged: nothing to read


def test_values_read_as_words_not_raw_fields(act_as, community, db):
    clock.freeze(datetime(2026, 11, 20, 9, 0, 0, 123456, tzinfo=UTC))
    suspend_user(community.moderator, community.other,
                 SuspensionInput(until=clock.now() + timedelta(days=3), reason="Spam links"))
    clock.freeze(None)
    page = text(act_as("moderator").get("/moderation/audit"))
    entry = _words(_entry(page, _last_id(db)))
    assert entry.startswith("mod suspended helper")
    assert "Suspended until (none) → 23 Nov 2026, 09:00" in entry
    assert "Suspension reason (none) → Spam links" in entry
    assert "None" not in entry and "123456" not in page and "+00:00" not in page
    assert '<time datetime="2026-11-20T09:00:00Z">20 Nov 2026, 09:00 UTC</time>' in page


def test_times_are_in_the_readers_time_zone(switch_user, community, db):
    clock.freeze(datetime(2026, 12, 6, 13, 5, tzinfo=UTC))
    audit_writer.record(community.admin, "user.role_change", "user", community.other.id, "",
                        {"role": "member"}, {"role": "advocate"})
    db.session.commit()
    clock.freeze(None)
    community.moderator.time_zone = "Europe/Paris"
    db.session.commit()
    page = text(switch_user(community.moderator).get("/moderation/audit"))
    entry = _words(_entry(page, _last_id(db)))
    assert "6 Dec 2026, 14:05" in entry and "Times are in Europe/Paris." in page
    assert entry.startswith("boss changed the role of helper") and "Role Member → Advocate" in entry


def test_text_that_looks_like_a_moment_out_of_range_reads_as_typed(switch_user, community, db):
    """A post body or title is whatever someone typed: one that is a date at the end of the calendar must not
    break the page for a reader whose time zone would carry it past year 9999 (or before year 1)."""
    audit_writer.record(community.moderator, "post.edit", "post", community.reply.id, "",
                        {"body": "9999-12-31 23:30"}, {"body": "0001-01-01 00:10"})
    db.session.commit()
    for zone, shown in (("Pacific/Kiritimati", "Text 9999-12-31 23:30 → "),
                        ("America/New_York", "→ 0001-01-01 00:10")):
        community.moderator.time_zone = zone
        db.session.commit()
        response = switch_user(community.moderator).get("/moderation/audit")
        assert response.status_code == 200
        assert shown in _words(_entry(text(response), _last_id(db)))


def test_booleans_read_yes_or_no_and_a_settings_change_names_the_settings(act_as, community, db):
    community_settings.update_settings(community.admin, {"sla.first_reply_hours": 6, "uploads.enabled": False})
    admin_page = text(act_as("admin").get("/moderation/audit"))
    entry = _entry(admin_page, _last_id(db))
    assert _words(entry).startswith("boss changed 2 settings: “First reply target” and “Allow uploads”")
    assert "First reply target (hours) 4 → 6" in _words(entry) and "Allow uploads Yes → No" in _words(entry)
    assert 'href="/admin/settings#sla.first_reply_hours"' in entry
    moderator_entry = _entry(text(act_as("moderator").get("/moderation/audit")), _last_id(db))
    assert "/admin/settings" not in moderator_entry and "First reply target" in moderator_entry  # not theirs to open


def test_a_long_value_is_cut_short_with_the_whole_of_it_one_click_away(act_as, community, db):
    long_body = "The router resets every evening. " * 12
    audit_writer.record(community.moderator, "post.edit", "post", community.question.id, "Phone number",
                        {"body": long_body}, {"body": "Short now."})
    db.session.commit()
    entry = _entry(text(act_as("moderator").get("/moderation/audit")), _last_id(db))
    assert _words(entry).startswith("mod edited the question “Charged twice for my plan”")
    summary = entry.split("<summary>", 1)[1].split("<span", 1)[0]
    assert summary.strip().endswith("…") and len(summary) < 140
    assert f'<div class="audit-full-text">{long_body}</div>' in entry
    assert "After: Short now." in _words(entry)


def test_a_deleted_reply_stays_a_link_for_staff_with_its_state(act_as, community, db):
    actions.hide_post(community.moderator, community.reply, "Spam")
    community.reply.deleted_at = clock.now()
    db.session.commit()
    entry = _entry(text(act_as("moderator").get("/moderation/audit")), _last_id(db))
    assert f"#p{community.reply.id}" in entry and "deleted" in _words(entry)


def test_a_case_is_linked_only_for_those_who_work_cases(act_as, switch_user, make, community, db):
    case, _created = cases.escalate_thread(community.author, community.thread, "Still charged twice")
    audit_writer.record(community.moderator, "post.move_private", "post", community.reply.id, "Account number",
                        {"personal_data": ["iban"]}, {"case_id": case.id})
    db.session.commit()
    moderator_entry = _entry(text(act_as("moderator").get("/moderation/audit")), _last_id(db))
    assert f"case #{case.id}" in _words(moderator_entry) and "/desk/cases/" not in moderator_entry
    agent_entry = _entry(text(switch_user(make.make_user(role="agent")).get("/moderation/audit")), _last_id(db))
    assert f'href="/desk/cases/{case.id}"' in agent_entry


def test_a_post_the_reader_may_not_open_is_named_by_number_only(community, db):
    """The page is for moderators, who open everything; the presenter holds to visibility all the same."""
    actions.hide_post(community.moderator, community.reply, "Off topic")
    audit_writer.record(community.moderator, "post.edit", "post", community.reply.id, "", {"body": "secret words"},
                        {"body": "other words"})
    db.session.commit()
    from forum.models import AuditEntry
    entries = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id)).all()
    for view in audit_display.describe(community.advocate, entries):
        assert view.target.target is None and view.target.text == f"#{community.reply.id}"
        assert view.summary.endswith("a post") and "Charged" not in repr(view)
    edit = audit_display.describe(community.advocate, entries)[-1]
    assert "secret" not in repr(edit) and edit.changes[0].before.text == "(not shown)"
    staff_view = audit_display.describe(community.moderator, entries)[-1]
    assert staff_view.target.target == community.reply and staff_view.changes[0].before.text == "secret words"


def test_the_page_costs_the_same_queries_for_few_entries_or_many(switch_user, make, community, db):
    client = switch_user(community.moderator)

    def add_entries(count: int) -> None:
        for n in range(count):
            thread = make.make_thread(category=make.make_category(slug=f"c{count}-{n}"))
            reply = make.make_reply(thread)
            actions.hide_post(community.moderator, reply, "Off topic")
            audit_writer.record(community.admin, "thread.move", "thread", thread.id, "",
                                {"category_id": community.category.id}, {"category_id": thread.category_id})
            audit_writer.record(community.admin, "user.role_change", "user", reply.author_id, "",
                                {"role": "member"}, {"role": "advocate"})
        db.session.commit()

    def statements() -> int:
        with count_statements() as seen:
            assert client.get("/moderation/audit").status_code == 200
        return len(seen)

    add_entries(2)
    few = statements()
    add_entries(10)
    assert statements() == few


def test_each_linked_kind_opens_its_own_page(act_as, community, db):
    audit_writer.record(community.admin, "thread.move", "thread", community.thread.id, "",
                        {"category_id": community.category.id}, {"category_id": community.category.id + 999})
    audit_writer.record(community.admin, "category.update", "category", community.category.id, "",
                        {"name": "Bills"}, {"name": "Billing"})
    db.session.commit()
    page = text(act_as("admin").get("/moderation/audit"))
    move, edit = _entry(page, _last_id(db) - 1), _entry(page, _last_id(db))
    assert f'moved the thread <a href="/t/{community.thread.id}/{community.thread.slug}">' in " ".join(move.split())
    assert '<dd><a href="/c/billing">Billing</a>' in move  # a category that is gone is named by its number
    assert f"Category Billing → category #{community.category.id + 999}" in _words(move)
    assert 'edited the category <a href="/c/billing">“Billing”</a>' in " ".join(edit.split())
    assert "Name Bills → Billing" in _words(edit)


def _actions_the_code_writes() -> set[str]:
    """Every literal action name passed to audit_writer.record (or a module constant holding one)."""
    found = set()
    for package in ("forum", "moderation", "search"):
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text())
            constants = {target.id: node.value.value for node in tree.body if isinstance(node, ast.Assign)
                         for target in node.targets if isinstance(target, ast.Name)
                         and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)}
            for call in ast.walk(tree):
                if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "record"
                        and ast.unparse(call.func.value) == "audit_writer" and len(call.args) > 1):
                    action = call.args[1]
                    if isinstance(action, ast.Constant):
                        found.add(action.value)
                    elif isinstance(action, ast.Name) and action.id in constants:
                        found.add(constants[action.id])
    return found


def test_every_action_the_code_records_has_words():
    written = _actions_the_code_writes()
    assert {"post.hide", "user.suspend", "settings.update", "user.2fa_enabled"} <= written  # the scan finds them
    assert sorted(written - set(audit_labels.ACTIONS)) == []
