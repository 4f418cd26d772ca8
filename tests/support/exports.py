"""A member's data-export archive as the worker builds it, for the privacy tests of every package."""

from __future__ import annotations

import json
import zipfile

from sqlalchemy import select

from forum.accounts import data_export
from forum.core.extensions import db
from forum.models import DataExport, User


def archive_of(user: User, run_jobs) -> zipfile.ZipFile:
    """Request the member's export, let the worker build it, and open the ZIP (it must be ready)."""
    data_export.request_export(user)
    run_jobs()
    db.session.expire_all()
    export = db.session.scalars(select(DataExport).where(DataExport.user_id == user.id)
                                .order_by(DataExport.id.desc())).first()
    assert export.status == "ready", export.status
    return zipfile.ZipFile(data_export.exports_dir() / export.file_name)


def read_json(archive: zipfile.ZipFile, name: str):
    return json.loads(archive.read(name))
