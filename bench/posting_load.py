#!/usr/bin/env python3
"""Replies through the API from 8 concurrent clients against a running gunicorn server.

    .venv/bin/python bench/posting_load.py prepare --data-dir D --accounts 2500 > tokens.json
    .venv/bin/python bench/posting_load.py drive --base-url http://127.0.0.1:PORT --tokens tokens.json

`prepare` (in-process, on a scratch copy of the bench database) gives each of the corpus's members and
enough extra, long-standing bench members a write token (the same accounts.new_api_token that
POST /api/v1/tokens uses; minting 2,500 tokens over HTTP would take hours at the sign-in limit of
10/min per address). `drive` is pure HTTP (http.client, one keep-alive connection per client).

Rate limits stay on, exactly as deployed: the reply limit is one per 10 s *per account*, and no
deployment setting relaxes it, so the clients share a pool of accounts and take one only when its
10 s have passed. Any 429 is counted and reported; a run with none shows the limits were respected,
not bypassed.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import json
import random
import sys
import threading
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import load_corpus  # noqa: E402  (also puts the repo root on sys.path)

REPLY_WINDOW_S = 10.5  # forum/ratelimits.py REPLIES is "1 per 10 seconds"; a little slack for clock edges
WORDS = ("sleep routine walk journal breathing therapist evening light tea stretch morning notes"
         " friend doctor schedule screen music patience reading habit").split()


# ---------------------------------------------------------------------------- prepare


def prepare(data_dir: Path, accounts_wanted: int) -> dict:
    """Write tokens for `accounts_wanted` members (corpus members first) and list the thread ids."""
    from sqlalchemy import func, insert, select

    from forum import accounts
    from forum.core.extensions import db
    from forum.models import Thread, User

    app = load_corpus.make_app(data_dir)
    with app.app_context():
        existing = db.session.scalar(select(func.count(User.id)))
        missing = max(0, accounts_wanted - existing)
        if missing:
            template = db.session.scalars(select(User).order_by(User.id).limit(1)).one()
            start = db.session.scalar(select(func.max(User.id))) + 1
            db.session.execute(insert(User), [_bench_user(template, start + i) for i in range(missing)])
            db.session.commit()
        load_corpus.sync_sequences()  # also for a database loaded before load_corpus did this itself
        users = db.session.scalars(select(User).order_by(User.id).limit(accounts_wanted)).all()
        tokens = [accounts.new_api_token(user, "posting-bench", "write")[1] for user in users]
        db.session.commit()
        thread_ids = list(db.session.scalars(select(Thread.id).order_by(Thread.id)))
        db.session.remove()
        db.engine.dispose()
    return {"tokens": tokens, "thread_ids": thread_ids}


def _bench_user(template, user_id: int) -> dict:
    """A member who joined long ago (a brand-new account would trip the spam score, not the limits)."""
    return {
        "id": user_id, "username": f"bench{user_id}", "username_key": f"bench{user_id}",
        "email": f"bench{user_id}@bench.invalid", "password_hash": template.password_hash, "role": "member",
        "display_name": f"Bench member {user_id}", "bio": "", "time_zone": "UTC", "reputation": 50,
        "email_frequency": "off", "weekly_digest": False,
        "created_at": datetime(2024, 1, 1, tzinfo=UTC), "email_verified_at": datetime(2024, 1, 1, tzinfo=UTC),
    }


# ---------------------------------------------------------------------------- drive


class AccountPool:
    """Tokens handed out only once their account's reply window has passed (so no 429 is provoked)."""

    def __init__(self, tokens: list[str]) -> None:
        self._ready = collections.deque((0.0, token) for token in tokens)
        self._lock = threading.Lock()
        self.waited_s = 0.0

    def take(self) -> str:
        with self._lock:
            ready_at, token = self._ready.popleft()
        delay = ready_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
            self.waited_s += delay
        return token

    def give_back(self, token: str) -> None:
        with self._lock:
            self._ready.append((time.monotonic() + REPLY_WINDOW_S, token))


def _client(base_url: str, pool: AccountPool, thread_ids: list[int], stop_at: float, tally: dict,
            lock: threading.Lock, seed: int) -> None:
    rng = random.Random(seed)
    netloc = urllib.parse.urlsplit(base_url).netloc
    connection = http.client.HTTPConnection(netloc, timeout=60)
    while time.monotonic() < stop_at:
        token = pool.take()
        body = json.dumps({"body": " ".join(rng.choices(WORDS, k=12)) + f". Tried it for {rng.randint(2, 90)} days."})
        thread_id = rng.choice(thread_ids)
        try:
            connection.request("POST", f"/api/v1/threads/{thread_id}/posts", body=body, headers={
                "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection(netloc, timeout=60)
            status = 0  # connection error
        pool.give_back(token)
        with lock:
            tally[status] = tally.get(status, 0) + 1


def drive(base_url: str, tokens: list[str], thread_ids: list[int], clients: int, duration_s: float) -> dict:
    """`clients` threads posting replies for duration_s; returns posts/s and the status counts."""
    pool, tally, lock = AccountPool(tokens), {}, threading.Lock()
    started = time.monotonic()
    workers = [threading.Thread(target=_client, args=(base_url, pool, thread_ids, started + duration_s, tally, lock,
                                                      seed)) for seed in range(clients)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - started
    return {
        "clients": clients, "seconds": round(elapsed, 2), "created": tally.get(201, 0),
        "posts_per_s": tally.get(201, 0) / elapsed, "statuses": {str(k): v for k, v in sorted(tally.items())},
        "5xx": sum(v for k, v in tally.items() if k >= 500), "429": tally.get(429, 0),
        "accounts": len(tokens), "waited_for_accounts_s": round(pool.waited_s, 2),
    }


def profile(data_dir: Path, requests: int, out: Path) -> None:
    """pyinstrument over `requests` API replies in-process (test client), each from a not-yet-used account."""
    from page_sql import write_profile
    from pyinstrument import Profiler

    prepared = json.loads((data_dir / "bench-tokens.json").read_text())
    tokens, thread_ids = prepared["tokens"][::-1][:requests], prepared["thread_ids"]
    client = load_corpus.make_app(data_dir).test_client()
    rng = random.Random(7)
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for token in tokens:
        client.post(f"/api/v1/threads/{rng.choice(thread_ids)}/posts", headers={"Authorization": f"Bearer {token}"},
                    json={"body": " ".join(rng.choices(WORDS, k=12)) + f". Day {rng.randint(2, 90)}."})
    profiler.stop()
    write_profile(profiler, out, f"{len(tokens)} x POST /api/v1/threads/<id>/posts in-process ({data_dir})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    prep = sub.add_parser("prepare")
    prep.add_argument("--data-dir", type=Path, required=True)
    prep.add_argument("--accounts", type=int, default=2500)
    run = sub.add_parser("drive")
    run.add_argument("--base-url", required=True)
    run.add_argument("--tokens", type=Path, required=True, help="the JSON `prepare` printed")
    run.add_argument("--clients", type=int, default=8)
    run.add_argument("--duration", type=float, default=8)
    prof = sub.add_parser("profile")
    prof.add_argument("--data-dir", type=Path, required=True, help="a data dir `prepare` has run on")
    prof.add_argument("--requests", type=int, default=300)
    prof.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.command == "profile":
        profile(args.data_dir, args.requests, args.out)
    elif args.command == "prepare":
        print(json.dumps(prepare(args.data_dir, args.accounts)))
    else:
        prepared = json.loads(args.tokens.read_text())
        print(json.dumps(drive(args.base_url, prepared["tokens"], prepared["thread_ids"], args.clients,
                               args.duration)))


if __name__ == "__main__":
    main()
