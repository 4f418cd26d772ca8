"""The words the audit log is read in: what each action did, what each recorded field is called.

An action's phrase reads after the actor's name and before its target ("mod" "hid" "a reply in “Wifi
drops”"); {post} stands for the post it acted on, "a reply in" or "the question" (see audit_display).
A phrase without a target to name (the owner's own two-factor change) says it all. An action missing
here is shown as its code made readable; tests/web/test_audit_page.py lists the ones the code writes.
"""

from __future__ import annotations

from typing import Any

from forum.core.i18n import _l

ACTIONS: dict[str, Any] = {
    # Posts and threads
    "post.edit": _l("edited {post}"),
    "post.delete": _l("deleted {post}"),
    "post.hide": _l("hid {post}"),
    "post.unhide": _l("showed again {post}"),
    "post.restore": _l("restored {post}"),
    "post.move_private": _l("moved personal data into a private case from {post}"),
    "flags.hide": _l("hid, after flags, {post}"),
    "queue.approve": _l("approved, from the review queue, {post}"),
    "queue.hide": _l("hid, from the review queue, {post}"),
    "queue.delete": _l("deleted, from the review queue, {post}"),
    "queue.dismiss": _l("dismissed the flags on {post}"),
    "thread.edit": _l("edited the title or tags of the thread"),
    "thread.move": _l("moved the thread"),
    "thread.lock": _l("locked the thread"),
    "thread.unlock": _l("unlocked the thread"),
    "thread.pin": _l("pinned the thread"),
    "thread.unpin": _l("unpinned the thread"),
    "thread.merge": _l("merged the thread"),
    "thread.split": _l("split replies out of the thread"),
    "thread.duplicate": _l("marked as a duplicate the thread"),
    "thread.unduplicate": _l("took back the duplicate mark on the thread"),
    # Ideas (an idea is a thread: its entries target the thread, named and linked as threads are)
    "idea.status": _l("changed the status of the idea"),
    "idea.merge": _l("merged, as a duplicate, the idea"),
    "idea.votes_removed": _l("gave back serial idea votes of"),
    "idea.link": _l("linked a question or case to the idea"),
    "idea.unlink": _l("unlinked a question or case from the idea"),
    # People
    "user.suspend": _l("suspended"),
    "user.unsuspend": _l("lifted the suspension of"),
    "appeal.lifted": _l("lifted, on appeal, the suspension of"),
    "appeal.upheld": _l("upheld, on appeal, the suspension of"),
    "user.anonymize": _l("anonymized"),
    "user.role_change": _l("changed the role of"),
    "user.make_advocate": _l("gave advocate status to"),
    "user.revoke_advocate": _l("took advocate status from"),
    "user.delete": _l("deleted the account of"),
    "user.deletion_scheduled": _l("asked to delete their account"),
    "user.deletion_cancelled": _l("kept their account after all"),
    "user.deletion_refused": _l("did not delete, as asked, the account of"),
    "user.2fa_enabled": _l("turned on two-factor sign-in"),
    "user.2fa_disabled": _l("turned off two-factor sign-in"),
    "user.2fa_recovery_codes_renewed": _l("renewed their recovery codes"),
    "account.sign_in_limited": _l("paused sign-ins, after failed tries, for"),
    "account.sign_in_limit_cleared": _l("cleared the failed sign-ins of"),
    "reputation.recomputed": _l("corrected the reputation of"),
    "reputation.serial_votes_reversed": _l("reversed serial votes by"),
    "service_account.create": _l("created the service account"),
    "service_token.create": _l("created the service token"),
    "service_token.revoke": _l("revoked the service token"),
    # Community structure and rules
    "settings.update": _l("changed the setting"),  # "changed 3 settings:" when there are more
    "category.create": _l("created the category"),
    "category.update": _l("edited the category"),
    "tag.rename": _l("renamed the tag"),
    "tag.describe": _l("described the tag"),
    "tag.merge": _l("merged the tag"),
    "tag.synonym_add": _l("added a synonym to the tag"),
    "tag.synonym_remove": _l("removed a synonym from the tag"),
    "watched_word.add": _l("added the watched word"),
    "watched_word.delete": _l("removed the watched word"),
    "article.publish": _l("published the article"),
    "article.archive": _l("archived the article"),
    "article.withdraw": _l("withdrew the article"),
    "article.return_to_draft": _l("sent back to draft the article"),
    "article.owner": _l("changed the owner of the article"),
    "mission.create": _l("created the mission"),
    "mission.update": _l("edited the mission"),
    "mission.delete": _l("deleted the mission"),
    "upload.remove": _l("removed the upload"),
    # Mail and background jobs (the delivery problems page)
    "job.resend": _l("queued again the failed job"),
    "job.discard": _l("discarded the failed job"),
    # Private conversations
    "conversation.view": _l("read, through a flag, the private conversation"),
    "conversation_message.hide": _l("hid the private message"),
    "conversation_message.dismiss": _l("dismissed the flags on the private message"),
}

# Fields the entries keep before and after, by the name the code gives them.
FIELDS: dict[str, Any] = {
    "visibility": _l("Visibility"), "deleted": _l("Deleted"), "review_item_id": _l("Review item"), "body": _l("Text"),
    "title": _l("Title"), "tags": _l("Tags"), "category": _l("Category"), "category_id": _l("Category"),
    "locked": _l("Locked"),
    "pinned": _l("Pinned"), "merged_into_id": _l("Merged into"),
    "target_reply_count": _l("Replies in the other thread"),
    "thread_id": _l("Thread"), "post_ids": _l("Posts"), "new_thread_id": _l("New thread"),
    "reply_count": _l("Replies left"),
    "carried_watchers": _l("Watchers carried over"), "carried_me_too": _l("“Me too”s carried over"),
    "tags_added": _l("Tags added"), "tags_left_out": _l("Tags left out"), "moved_case_id": _l("Case moved along"),
    "suspended_until": _l("Suspended until"), "suspension_reason": _l("Suspension reason"), "role": _l("Role"),
    "outcome": _l("Outcome"), "user_id": _l("Member"), "author_id": _l("Author"), "points": _l("Points"),
    "reversed_rows": _l("Votes reversed"), "reputation": _l("Reputation"), "anonymized_at": _l("Anonymized"),
    "deletion_scheduled_at": _l("Deletion due"), "removes_unanswered": _l("Removes unanswered questions"),
    "sessions_ended": _l("Sessions ended"), "threads_removed": _l("Threads removed"), "failures": _l("Failed sign-ins"),
    "window_s": _l("Counted over (seconds)"), "limited_until": _l("Paused until"), "known_account": _l("Known account"),
    "source": _l("From"), "account": _l("Account"), "name": _l("Name"), "scope": _l("Scope"),
    "slug": _l("Address (slug)"),
    "description": _l("Description"), "position": _l("Position"), "sla_time_zone": _l("SLA time zone"),
    "sla_hours_json": _l("SLA hours"), "phrase": _l("Phrase"), "mode": _l("Does"), "replacement": _l("Replacement"),
    "metric": _l("What counts"), "goal": _l("Goal"), "badge": _l("Badge"), "starts_at": _l("Starts"),
    "ends_at": _l("Deadline"),
    "filename": _l("File"), "uploader_id": _l("Uploaded by"), "sha256": _l("SHA-256"), "size": _l("Size (bytes)"),
    "removed": _l("Removed"), "flag_score": _l("Flag score"), "threshold": _l("Hide threshold"), "hidden": _l("Hidden"),
    "flag_ids": _l("Flags"), "personal_data": _l("Personal data found"), "case_id": _l("Case"),
    "into": _l("Merged into"),
    "into_id": _l("Merged into tag"), "threads": _l("Threads"), "threads_moved": _l("Threads moved"),
    "followers": _l("Followers"), "followers_moved": _l("Followers moved"), "synonyms": _l("Synonyms"),
    "duplicate_of_id": _l("Duplicate of"), "target_me_too_count": _l("“Me too”s on the other thread"),
    "status": _l("State"), "status_note": _l("Note to members"), "duplicate_of": _l("Duplicate of"),
    "moved_votes": _l("Votes moved"), "returned_votes": _l("Votes given back"), "given_back": _l("Votes given back"),
    "watches_added": _l("Watchers added"), "idea_ids": _l("Ideas"),
    "attempts": _l("Attempts"), "last_error": _l("Last error"), "email_id": _l("Email (number)"),
}

# Fields that hold the id of something the page can name (and link, for whoever may open it).
REFERENCES: dict[str, str] = {
    "category_id": "category", "merged_into_id": "thread", "thread_id": "thread", "new_thread_id": "thread",
    "duplicate_of_id": "thread", "case_id": "case", "moved_case_id": "case", "user_id": "user", "author_id": "user",
    "uploader_id": "user", "duplicate_of": "thread",
}

# Stored codes in words, per field.
VALUES: dict[str, dict[str, Any]] = {
    "visibility": {"public": _l("Public"), "hidden": _l("Hidden"), "pending": _l("Waiting for approval")},
    "role": {"member": _l("Member"), "advocate": _l("Advocate"), "moderator": _l("Moderator"), "agent": _l("Agent"),
             "admin": _l("Admin")},
    "outcome": {"lifted": _l("Lifted"), "upheld": _l("Upheld")},
    "status": {"queued": _l("Queued"), "running": _l("Running"), "done": _l("Done"), "dead": _l("Dead"),
               "discarded": _l("Discarded"),
               # a thread's, on duplicate marks
               "open": _l("Open"), "answered": _l("Answered"), "needs_info": _l("Needs information"),
               "solved": _l("Solved"), "escalated": _l("With support"), "closed": _l("Closed"),
               # an idea's (forum.models.ideas.IdeaStatus)
               "new": _l("New"), "under_review": _l("Under review"), "planned": _l("Planned"),
               "in_progress": _l("In progress"), "shipped": _l("Shipped"), "declined": _l("Declined"),
               "duplicate": _l("Duplicate")},
    "mode": {"block": _l("Refuses the post"), "censor": _l("Replaces the word"), "link": _l("Links the word"),
             "require_approval": _l("Holds the post for approval")},
}

# Target types, for the filter.
TARGETS: dict[str, Any] = {
    "post": _l("Posts"), "thread": _l("Threads"), "user": _l("Members and accounts"), "category": _l("Categories"),
    "tag": _l("Tags"), "idea": _l("Ideas"),
    "settings": _l("Settings"), "watched_word": _l("Watched words"), "mission": _l("Missions"), "upload": _l("Uploads"),
    "appeal": _l("Appeals"), "conversation": _l("Private conversations"),
    "conversation_message": _l("Private messages"),
    "job": _l("Mail and background jobs"),
    "api_token": _l("Service tokens"),  # nosec B105  # a label for the audit filter, not a password
}
