"""The words the audit log is read in: what each action did, what each recorded field is called.

An action's phrase reads after the actor's name and before its target ("mod" "hid" "a reply in “Wifi
drops”"); {post} stands for the post it acted on, "a reply in" or "the question" (see audit_display).
A phrase without a target to name (the owner's own two-factor change) says it all. An action missing
here is shown as its code made readable; tests/web/test_audit_page.py lists the ones the code writes.
"""

from __future__ import annotations

ACTIONS: dict[str, str] = {
    # Posts and threads
    "post.edit": "edited {post}",
    "post.delete": "deleted {post}",
    "post.hide": "hid {post}",
    "post.unhide": "showed again {post}",
    "post.restore": "restored {post}",
    "post.move_private": "moved personal data into a private case from {post}",
    "flags.hide": "hid, after flags, {post}",
    "queue.approve": "approved, from the review queue, {post}",
    "queue.hide": "hid, from the review queue, {post}",
    "queue.delete": "deleted, from the review queue, {post}",
    "queue.dismiss": "dismissed the flags on {post}",
    "thread.edit": "edited the title or tags of the thread",
    "thread.move": "moved the thread",
    "thread.lock": "locked the thread",
    "thread.unlock": "unlocked the thread",
    "thread.pin": "pinned the thread",
    "thread.unpin": "unpinned the thread",
    "thread.merge": "merged the thread",
    "thread.split": "split replies out of the thread",
    "thread.duplicate": "marked as a duplicate the thread",
    "thread.unduplicate": "took back the duplicate mark on the thread",
    # People
    "user.suspend": "suspended",
    "user.unsuspend": "lifted the suspension of",
    "appeal.lifted": "lifted, on appeal, the suspension of",
    "appeal.upheld": "upheld, on appeal, the suspension of",
    "user.anonymize": "anonymized",
    "user.role_change": "changed the role of",
    "user.make_advocate": "gave advocate status to",
    "user.revoke_advocate": "took advocate status from",
    "user.delete": "deleted the account of",
    "user.deletion_scheduled": "asked to delete their account",
    "user.deletion_cancelled": "kept their account after all",
    "user.deletion_refused": "did not delete, as asked, the account of",
    "user.2fa_enabled": "turned on two-factor sign-in",
    "user.2fa_disabled": "turned off two-factor sign-in",
    "user.2fa_recovery_codes_renewed": "renewed their recovery codes",
    "account.sign_in_limited": "paused sign-ins, after failed tries, for",
    "account.sign_in_limit_cleared": "cleared the failed sign-ins of",
    "reputation.recomputed": "corrected the reputation of",
    "reputation.serial_votes_reversed": "reversed serial votes by",
    "service_account.create": "created the service account",
    "service_token.create": "created the service token",
    "service_token.revoke": "revoked the service token",
    # Community structure and rules
    "settings.update": "changed the setting",  # "changed 3 settings:" when there are more
    "category.create": "created the category",
    "category.update": "edited the category",
    "tag.rename": "renamed the tag",
    "tag.describe": "described the tag",
    "tag.merge": "merged the tag",
    "tag.synonym_add": "added a synonym to the tag",
    "tag.synonym_remove": "removed a synonym from the tag",
    "watched_word.add": "added the watched word",
    "watched_word.delete": "removed the watched word",
    "article.publish": "published the article",
    "article.archive": "archived the article",
    "article.withdraw": "withdrew the article",
    "article.return_to_draft": "sent back to draft the article",
    "article.owner": "changed the owner of the article",
    "mission.create": "created the mission",
    "mission.update": "edited the mission",
    "mission.delete": "deleted the mission",
    "upload.remove": "removed the upload",
    # Mail and background jobs (the delivery problems page)
    "job.resend": "queued again the failed job",
    "job.discard": "discarded the failed job",
    # Private conversations
    "conversation.view": "read, through a flag, the private conversation",
    "conversation_message.hide": "hid the private message",
    "conversation_message.dismiss": "dismissed the flags on the private message",
}

# Fields the entries keep before and after, by the name the code gives them.
FIELDS: dict[str, str] = {
    "visibility": "Visibility", "deleted": "Deleted", "review_item_id": "Review item", "body": "Text",
    "title": "Title", "tags": "Tags", "category": "Category", "category_id": "Category", "locked": "Locked",
    "pinned": "Pinned", "merged_into_id": "Merged into", "target_reply_count": "Replies in the other thread",
    "thread_id": "Thread", "post_ids": "Posts", "new_thread_id": "New thread", "reply_count": "Replies left",
    "carried_watchers": "Watchers carried over", "carried_me_too": "“Me too”s carried over",
    "tags_added": "Tags added", "tags_left_out": "Tags left out", "moved_case_id": "Case moved along",
    "suspended_until": "Suspended until", "suspension_reason": "Suspension reason", "role": "Role",
    "outcome": "Outcome", "user_id": "Member", "author_id": "Author", "points": "Points",
    "reversed_rows": "Votes reversed", "reputation": "Reputation", "anonymized_at": "Anonymized",
    "deletion_scheduled_at": "Deletion due", "removes_unanswered": "Removes unanswered questions",
    "sessions_ended": "Sessions ended", "threads_removed": "Threads removed", "failures": "Failed sign-ins",
    "window_s": "Counted over (seconds)", "limited_until": "Paused until", "known_account": "Known account",
    "source": "From", "account": "Account", "name": "Name", "scope": "Scope", "slug": "Address (slug)",
    "description": "Description", "position": "Position", "sla_time_zone": "SLA time zone",
    "sla_hours_json": "SLA hours", "phrase": "Phrase", "mode": "Does", "replacement": "Replacement",
    "metric": "What counts", "goal": "Goal", "badge": "Badge", "starts_at": "Starts", "ends_at": "Deadline",
    "filename": "File", "uploader_id": "Uploaded by", "sha256": "SHA-256", "size": "Size (bytes)",
    "removed": "Removed", "flag_score": "Flag score", "threshold": "Hide threshold", "hidden": "Hidden",
    "flag_ids": "Flags", "personal_data": "Personal data found", "case_id": "Case", "into": "Merged into",
    "into_id": "Merged into tag", "threads": "Threads", "threads_moved": "Threads moved",
    "followers": "Followers", "followers_moved": "Followers moved", "synonyms": "Synonyms",
    "duplicate_of_id": "Duplicate of", "target_me_too_count": "“Me too”s on the other thread",
    "status": "State", "attempts": "Attempts", "last_error": "Last error", "email_id": "Email (number)",
}

# Fields that hold the id of something the page can name (and link, for whoever may open it).
REFERENCES: dict[str, str] = {
    "category_id": "category", "merged_into_id": "thread", "thread_id": "thread", "new_thread_id": "thread",
    "duplicate_of_id": "thread", "case_id": "case", "moved_case_id": "case", "user_id": "user", "author_id": "user",
    "uploader_id": "user",
}

# Stored codes in words, per field.
VALUES: dict[str, dict[str, str]] = {
    "visibility": {"public": "Public", "hidden": "Hidden", "pending": "Waiting for approval"},
    "role": {"member": "Member", "advocate": "Advocate", "moderator": "Moderator", "agent": "Agent",
             "admin": "Admin"},
    "outcome": {"lifted": "Lifted", "upheld": "Upheld"},
    "status": {"queued": "Queued", "running": "Running", "done": "Done", "dead": "Dead", "discarded": "Discarded",
               # a thread's, on duplicate marks
               "open": "Open", "answered": "Answered", "needs_info": "Needs information", "solved": "Solved",
               "escalated": "With support", "closed": "Closed"},
    "mode": {"block": "Refuses the post", "censor": "Replaces the word", "link": "Links the word",
             "require_approval": "Holds the post for approval"},
}

# Target types, for the filter.
TARGETS: dict[str, str] = {
    "post": "Posts", "thread": "Threads", "user": "Members and accounts", "category": "Categories", "tag": "Tags",
    "settings": "Settings", "watched_word": "Watched words", "mission": "Missions", "upload": "Uploads",
    "appeal": "Appeals", "conversation": "Private conversations", "conversation_message": "Private messages",
    "job": "Mail and background jobs",
    "api_token": "Service tokens",  # nosec B105  # a label for the audit filter, not a password
}
