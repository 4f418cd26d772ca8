#!/usr/bin/env python3
"""Uploads benchmark (issue 19): processing a phone photo, and serving an upload against a static file.

    .venv/bin/python bench/uploads_bench.py              # both parts, prints a Markdown table
    .venv/bin/python bench/uploads_bench.py --runs 5 --duration 8

1. Processing: a 5 MB phone-style JPEG (4032 x 3024, EXIF orientation 6 and GPS) through
   forum.uploads.store_stream, as POST /api/v1/uploads stores it: sniff, decode, turn upright,
   strip the metadata, re-encode, thumbnail, hash and keep the blob (filesystem store) and its rows.
   Target: p50 under 500 ms.
2. Serving: that photo attached to a public question, fetched signed out at /uploads/<id>/<name>
   by wrk (-t1 -c16) from Horseshoe under gunicorn -w 2 -k sync, against a static file of the same
   size from the same server (/static/). Target: at least half the static file's rate.

Everything runs on a fresh SQLite data directory under the temp directory (HORSESHOE_BENCH_DATA_DIR
is not touched); logs go where bench/http_tools.py says.
"""

from __future__ import annotations

import argparse
import io
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import load_corpus  # noqa: E402  (also puts the repo root on sys.path)
from http_tools import horseshoe_server, run_wrk  # noqa: E402

PROCESS_TARGET_MS = 500.0
SERVE_TARGET_RATIO = 0.5
PHOTO_SIZE = (4032, 3024)


def phone_photo(min_bytes: int = 5_000_000) -> bytes:
    """A JPEG as a phone writes it: big, noisy enough to weigh ~5 MB, turned by EXIF, with GPS."""
    import random

    from PIL import Image

    rng = random.Random(42)  # nosec B311  (test data, not secrets)
    tile = Image.frombytes("RGB", (512, 512), bytes(rng.getrandbits(8) for _ in range(512 * 512 * 3)))
    photo = Image.new("RGB", PHOTO_SIZE)
    for x in range(0, PHOTO_SIZE[0], 512):
        for y in range(0, PHOTO_SIZE[1], 512):
            photo.paste(tile, (x, y))
    exif = photo.getexif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to view
    exif[0x8825] = {1: "N", 2: (52.0, 22.0, 30.0), 3: "E", 4: (4.0, 53.0, 40.0)}  # GPS
    for quality in (40, 50, 60, 70, 80, 90, 95):
        out = io.BytesIO()
        photo.save(out, "JPEG", quality=quality, exif=exif)
        if out.tell() >= min_bytes:
            break
    return out.getvalue()


def _member_and_thread(app):
    from forum.core.extensions import db
    from forum.models import Category, User
    from forum.services import posting

    with app.app_context():
        user = db.session.query(User).filter_by(username="photographer").one_or_none()
        if user is None:
            from forum import accounts
            user = accounts.register_user(accounts.Registration(
                username="photographer", email="photographer@example.com", password="bench password 42 horseshoe",
                display_name=""))
            db.session.commit()
        category = db.session.query(Category).first()
        if category is None:
            category = Category(name="Devices", slug="devices", position=1)
            db.session.add(category)
            db.session.commit()
        thread = posting.start_thread(user, posting.NewThread(
            category_id=category.id, title="The screen shows lines after the update",
            body="A photo of the screen is attached below."))
        return user.id, thread.id


def measure_processing(app, photo: bytes, runs: int) -> list[float]:
    """ms per store_stream of the photo (each run's bytes differ, so nothing is deduplicated)."""
    from forum import uploads
    from forum.core.extensions import db
    from forum.models import User

    user_id, _ = _member_and_thread(app)
    timings = []
    with app.app_context():
        user = db.session.get(User, user_id)
        for n in range(runs):
            data = photo + bytes([n % 256])  # one trailing byte after the image: a new blob each run
            started = time.perf_counter()
            uploads.store_stream(user, io.BytesIO(data), "IMG_0042.jpg", "image/jpeg")
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def attached_photo_url(app, photo: bytes) -> str:
    """Store the photo as the question's attachment; its signed-out address."""
    from forum import uploads
    from forum.core.extensions import db
    from forum.models import Post, User

    user_id, thread_id = _member_and_thread(app)
    with app.app_context():
        user = db.session.get(User, user_id)
        upload = uploads.store_stream(user, io.BytesIO(photo), "screen.jpg", "image/jpeg")
        question = db.session.query(Post).filter_by(thread_id=thread_id, is_question=True).one()
        uploads.attach(upload, post=question)
        db.session.commit()
        return uploads.url_for_upload(upload), upload.size


def measure_serving(data_dir: Path, photo: bytes, duration: int, app) -> dict:
    url, size = attached_photo_url(app, photo)
    static_dir = load_corpus.REPO / "forum" / "static"
    static_name = f"bench-upload-{size}.bin"
    (static_dir / static_name).write_bytes(photo[:size].ljust(size, b"\0"))
    server = horseshoe_server("horseshoe-uploads", data_dir, {"HORSESHOE_ANONYMOUS_CACHE_S": "0"})
    try:
        server.start()
        upload = run_wrk(server.base_url + url, duration)
        static = run_wrk(server.base_url + f"/static/{static_name}", duration)
    finally:
        server.stop()
        (static_dir / static_name).unlink(missing_ok=True)
    return {"size": size, "upload": upload, "static": static}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="processing runs (after one warm-up)")
    parser.add_argument("--duration", type=int, default=8, help="seconds per wrk run")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="horseshoe-uploads-bench-"))
    try:
        app = load_corpus.make_app(data_dir)
        with app.app_context():
            from flask_migrate import upgrade
            upgrade()
        photo = phone_photo()
        print(f"photo: {len(photo) / 1e6:.1f} MB, {PHOTO_SIZE[0]} x {PHOTO_SIZE[1]}", flush=True)
        timings = measure_processing(app, photo, args.runs + 1)[1:]
        served = measure_serving(data_dir, photo, args.duration, app)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    p50 = statistics.median(timings)
    ratio = served["upload"]["rps"] / served["static"]["rps"] if served["static"]["rps"] else 0.0
    print("\n| measure | result | target |\n|---|---|---|")
    print(f"| process a {len(photo) / 1e6:.1f} MB phone JPEG (p50 of {len(timings)}) | {p50:.0f} ms "
          f"(min {min(timings):.0f}, max {max(timings):.0f}) | < {PROCESS_TARGET_MS:.0f} ms "
          f"{'met' if p50 < PROCESS_TARGET_MS else 'MISSED'} |")
    print(f"| serve the {served['size'] / 1e6:.1f} MB upload, signed out | {served['upload']['rps']:.0f} req/s, "
          f"p50 {served['upload']['p50_ms']:.1f} ms, non-2xx {served['upload']['non2xx']} | "
          f"≥ {SERVE_TARGET_RATIO:.0%} of static |")
    static = served["static"]
    print(f"| the same size from /static/ | {static['rps']:.0f} req/s, p50 {static['p50_ms']:.1f} ms "
          f"| ratio {ratio:.2f} {'met' if ratio >= SERVE_TARGET_RATIO else 'MISSED'} |")


if __name__ == "__main__":
    main()
