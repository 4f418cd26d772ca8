"""The backup archive: one tar.gz whose manifest.json names every other member with its size and SHA-256.

An archive is written under a hidden temporary name beside its final one and renamed when complete, so a
folder of backups never holds half of one (the scheduled pruning trusts that), and it is readable by its
owner only: it holds every account and the secret key that signs sessions. Reading extracts each member
into a scratch folder while hashing it, and refuses the whole archive when a member differs from the
manifest, is missing from it or was added to it, before a restore touches the target. The checksums catch
corruption and edits; they are no signature (whoever can rewrite an archive can rewrite its manifest), so
keep archives where only operators can write.
"""

from __future__ import annotations

import hashlib
import json
import os
import tarfile
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path, PurePosixPath

FORMAT = "horseshoe-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024

Progress = Callable[[int], object]


class BackupError(Exception):
    """Why a backup or a restore stopped, in a sentence for the operator (the CLI prints it, the job records it)."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_archive(target: Path, manifest: dict, members: dict[str, Path], progress: Progress) -> dict:
    """Write manifest.json (with every member's checksum) and members (name in the archive → file) to target.

    Returns the manifest as written. The file appears under its name only once complete, mode 0600.
    """
    manifest = {**manifest, "members": {
        name: {"sha256": sha256_of(path), "size": path.stat().st_size} for name, path in members.items()
    }}
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(dir=target.parent, prefix=".partial-", suffix=".tar.gz")  # created 0600
    try:
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2, sort_keys=True).encode())
            for name, path in members.items():
                tar.add(path, arcname=name, recursive=False, filter=_private)
                progress(1)
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return manifest


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = _private(tarfile.TarInfo(name))
    info.size = len(data)
    with tempfile.SpooledTemporaryFile() as buffer:
        buffer.write(data)
        buffer.seek(0)
        tar.addfile(info, buffer)


def _private(info: tarfile.TarInfo) -> tarfile.TarInfo:
    """No owner names or times of this host in the archive; files restored from it are the owner's only."""
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    return info


def read_manifest(archive: Path) -> dict:
    """The manifest alone (not verified: extract_verified checks every member against it)."""
    with _opened(archive) as tar:
        return _manifest(tar, archive)


def extract_verified(archive: Path, scratch: Path, progress: Progress) -> dict:
    """Extract every member under scratch, each checked against the manifest; return the manifest."""
    with _opened(archive) as tar:
        manifest = _manifest(tar, archive)
        expected = manifest["members"]
        seen: set[str] = set()
        try:
            for info in tar:
                if info.name == MANIFEST:
                    continue
                name = _listed_name(info, expected, archive)
                if _extract(tar, info, scratch / name) != expected[name]["sha256"]:
                    raise BackupError(f"{archive}: {name} does not match its checksum in the manifest (the archive "
                                      "was changed or damaged after it was made); nothing was restored.")
                seen.add(name)
                progress(1)
        except (tarfile.TarError, EOFError, zlib.error) as exc:
            raise BackupError(f"{archive} is damaged ({exc}); nothing was restored.") from exc
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"{archive} lacks {', '.join(missing)}, which its manifest lists; nothing was restored.")
    return manifest


def _opened(archive: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(archive, "r:gz")
    except (OSError, tarfile.TarError, EOFError, zlib.error) as exc:
        raise BackupError(f"{archive} is not a Horseshoe backup (not a readable tar.gz: {exc}).") from exc


def _manifest(tar: tarfile.TarFile, archive: Path) -> dict:
    try:
        handle = tar.extractfile(MANIFEST)
        manifest = json.loads(handle.read()) if handle else None
    except (tarfile.TarError, EOFError, zlib.error) as exc:
        raise BackupError(f"{archive} is damaged or cut short ({exc}); nothing was restored.") from exc
    except (KeyError, ValueError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or "members" not in manifest:
        raise BackupError(f"{archive} is not a Horseshoe backup (no readable {MANIFEST}).")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"{archive} is a backup of format {manifest.get('format_version')}; this Horseshoe "
                          f"reads format {FORMAT_VERSION}.")
    return manifest


def _listed_name(info: tarfile.TarInfo, expected: dict, archive: Path) -> str:
    """A member is a regular file under a plain relative name the manifest lists (nothing lands outside scratch)."""
    path = PurePosixPath(info.name)
    if not info.isfile() or path.is_absolute() or ".." in path.parts or info.name not in expected:
        raise BackupError(f"{archive} holds {info.name!r}, which its manifest does not list (the archive was "
                          "changed after it was made); nothing was restored.")
    return info.name


def _extract(tar: tarfile.TarFile, info: tarfile.TarInfo, target: Path) -> str:
    """Copy one member to target and return the SHA-256 of what was copied."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    source = tar.extractfile(info)
    with source, open(target, "wb") as out:
        for chunk in iter(lambda: source.read(CHUNK), b""):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()
