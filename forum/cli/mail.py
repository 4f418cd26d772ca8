"""`flask mail listen` and `flask mail receive`: two of the three ways mail reaches Horseshoe (README, "Mail in").

`listen` is the built-in SMTP listener (forum.mail.listener) for a small site's MX. `receive` is for a
mail server's pipe (Postfix pipe(8), Exim's pipe transport): it reads one raw message from standard
input and stores it with forum.mail.inbound.receive. Its exit status follows sysexits.h, which is what
those servers read: 0 stored (or already stored), 65 (EX_DATAERR: empty, or larger than
mail.max_message_mb; the server bounces it with the line printed on stderr), 75 (EX_TEMPFAIL: the
database is missing, locked or unreachable, or anything unexpected; the server keeps the message and
tries again). Postfix takes any other status, 1 included, as a permanent failure: so `receive` never
exits 1, not even when the database check every command runs (forum.cli.database_guard) fails.
"""

from __future__ import annotations

import sys
import traceback

import click
from flask import current_app
from flask.cli import AppGroup, ScriptInfo
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from forum.cli import database_guard
from forum.mail import addresses, inbound, listener
from forum.models import InboundChannel

EX_DATAERR = 65
EX_TEMPFAIL = 75

mail_cli = AppGroup("mail", help="Mail in: the SMTP listener and the pipe command for a mail server.")


@mail_cli.command("listen")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0: every interface, as an MX must).")
@click.option("--port", default=2525, show_default=True, type=click.IntRange(1, 65535),
              help="Port to listen on (25 for an MX; below 1024 needs the right to bind it).")
def listen(host: str, port: int) -> None:
    """Receive mail over SMTP until stopped (Ctrl-C or SIGTERM), for the site's mail domain and category addresses.

    Each message is stored and queued before the sending server hears 250; the worker then handles it.
    Unknown domains are refused (550: no open relay), over-size mail too (552), and a database that is
    unavailable gets 451 so the sender retries. No TLS and no spam filtering: a real mail server in front
    is better (README, "Mail in").
    """
    app = current_app._get_current_object()
    try:
        listener.serve(app, host, port, lambda controller: _announce(host, port, controller.handler.size_limit))
    except OSError as exc:  # the port is taken, or needs privileges
        raise click.ClickException(f"Cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    click.echo("Stopped listening.")


def _announce(host: str, port: int, size_limit: int) -> None:
    click.echo(f"Listening for mail on {host}:{port}: reply and bounce addresses at {addresses.mailbox()[1]} and "
               f"every category's address, up to {listener.megabytes(size_limit)} MB a message. "
               "Ctrl-C (or SIGTERM) stops.")


def _check_database_or_tempfail(ctx: click.Context, _param: click.Parameter, _value: object) -> None:
    """The database check every command runs (forum.cli.database_guard), but failing with EX_TEMPFAIL.

    A pipe command's status 1 bounces the message for good; a missing or unmigrated database is the
    operator's to fix, and the mail server should keep the message until then.
    """
    if ctx.resilient_parsing:
        return
    info = ctx.find_object(ScriptInfo)
    app = info.load_app() if info is not None else current_app
    settings = app.config["HORSESHOE"]
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    click.echo(database_guard.describe(settings, url), err=True)
    problem = database_guard.database_problem(settings, url, app.extensions["migrate"].directory)
    if problem:
        click.echo(f"{problem} The mail server keeps the message and tries again (exit {EX_TEMPFAIL}).", err=True)
        ctx.exit(EX_TEMPFAIL)


@mail_cli.command("receive")
@click.option("--" + database_guard.GUARD.replace("_", "-"), is_flag=True, hidden=True, expose_value=False,
              is_eager=True, callback=_check_database_or_tempfail)
@click.option("--recipient", "recipients", multiple=True, metavar="ADDRESS",
              help="The envelope recipient (Postfix ${recipient}, Exim $local_part@$domain); repeat for several. "
                   "Bcc'd and forwarded mail names its recipient only here.")
def receive(recipients: tuple[str, ...]) -> None:
    """Store one raw message read from standard input (a mail server's pipe); the worker then handles it.

    \b
    Prints "queued <id>" or "duplicate <id>" (already received: nothing stored twice). Exit status:
      0   stored, or already stored
      65  EX_DATAERR: empty input, or larger than mail.max_message_mb (the mail server bounces it)
      75  EX_TEMPFAIL: the database is missing, locked or unreachable, or something unexpected went
          wrong (printed on stderr); the mail server keeps the message and tries again later
    """
    raw = sys.stdin.buffer.read()
    try:
        _store(raw, recipients)
    except SQLAlchemyError as exc:
        _try_again_later(f"the database is unavailable ({_first_line(exc)})")
    except Exception:  # a bug: the message must wait in the mail server's queue, never bounce
        traceback.print_exc(file=sys.stderr)
        _try_again_later("something unexpected went wrong (above)")


def _first_line(exc: SQLAlchemyError) -> str:
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]


def _try_again_later(why: str) -> None:
    click.echo(f"Not stored: {why}. The mail server keeps the message and tries again (exit {EX_TEMPFAIL}).",
               err=True)
    sys.exit(EX_TEMPFAIL)


def _store(raw: bytes, recipients: tuple[str, ...]) -> None:
    if not raw.strip():
        click.echo("Not stored: the message is empty.", err=True)
        sys.exit(EX_DATAERR)
    limit = listener.max_message_bytes()
    if len(raw) > limit:
        click.echo(f"Not stored: the message is {listener.megabytes(len(raw))} MB; this community accepts mail up "
                   f"to {listener.megabytes(limit)} MB.", err=True)
        sys.exit(EX_DATAERR)
    received = inbound.receive(raw, InboundChannel.PIPE, recipients)
    click.echo(f"{'duplicate' if received.duplicate else 'queued'} {received.mail.id}")
