"""Email both ways.

Out: sending (render, store and deliver through the worker, with threading headers, a per-recipient
reply address and a VERP return path), bounces (delivery reports counted per address; notifications
stop at the threshold), delivery_problems (failed and dead jobs and mail, resend or discard).
In: addresses (signed reply and bounce keys), parsing (raw MIME to forum.mail.message.InboundMessage),
inbound (store, de-duplicate, route), replies (a reply becomes a post, a case message or a private
message), questions (a category's address opens a question: asking publishes it as its sender, staging
makes accounts for people who write in, confirmations holds untrusted mail until its emailed link is
followed on a page of `pages`), refusals (the helpful bounces). The three ways in are `flask mail
listen` (aiosmtpd), `flask mail receive` (a pipe) and POST /api/v1/integrations/mail/inbound (api).
README: "Mail in".
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Delivering mail and handling mail received are worker jobs."""
    from forum import hooks
    from forum.mail import api, case_replies, confirmations, inbound, pages, sending  # noqa: F401

    hooks.register_job(sending.SEND_JOB, sending.send_email_job)
    sending.announce_delivery(app.config["HORSESHOE"])
    app.extensions[sending.CASE_TARGET] = case_replies.reply_target  # case notifications' reply addresses
    hooks.register_job(inbound.PROCESS_JOB, inbound.process_inbound_job)
    hooks.register_job(confirmations.EXPIRE_JOB, confirmations.expire_unconfirmed,
                       every_s=lambda: confirmations.EXPIRE_EVERY_S)
    pages.init_app(app)
