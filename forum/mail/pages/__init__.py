"""The pages of forum.mail: confirmation (the emailed link that publishes a question sent by email) and
delivery (the admins' Delivery problems page). The bounce banner's "Try again" is an account page
(forum.accounts.pages.email_bounces).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from forum.mail.pages import confirmation, delivery

    confirmation.init_app(app)
    delivery.init_app(app)
