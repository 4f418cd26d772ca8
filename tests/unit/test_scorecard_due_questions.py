"""The public scorecard's first-reply figure: questions still inside their first-reply target are not misses."""

from __future__ import annotations

from forum.analytics import scorecard


def test_questions_still_inside_the_target_do_not_count_as_missed(make, clock_at):
    """"First reply within 4 hours: N% of questions": a question asked ten minutes ago has not
    missed its 4 hours yet. Five questions all answered in 30 minutes, plus five asked just now,
    must read 100%, not 50%."""
    category = make.make_category("Billing")
    helper = make.make_user()
    for _ in range(5):
        thread = make.make_thread(category=category)
        clock_at.advance(minutes=30)
        make.make_reply(thread, author=helper)
    clock_at.advance(hours=6)
    for _ in range(5):
        make.make_thread(category=category)
    clock_at.advance(minutes=10)
    card = scorecard.scorecard(category.id)
    assert card.target_hours == 4
    assert card.replied_in_time_percent == 100, (
        f"{card.replied_in_time_percent}%: unanswered questions younger than the target count as misses")
