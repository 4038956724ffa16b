"""The per-installation secret key for development (`make run`, `make dev`, bench/).

Without ``DJANGO_SECRET_KEY`` a development installation used to sign with a key published in this
repository, so a session or password-reset token signed by any other clone was accepted. Now the
first start writes a random key to ``var/secret_key`` (mode 0600, never committed: ``var/`` is in
.gitignore) and every later start reads it back. ``DJANGO_SECRET_KEY`` still wins; production
requires it (config/settings.py) and never reads or writes this file.
"""

import os
import secrets
from pathlib import Path


def installation_secret_key(path: Path) -> str:
    """The key stored at ``path``; on first use a new random one, written atomically with mode 0600."""
    try:
        key = path.read_text().strip()
    except FileNotFoundError:
        key = ""
    if key:
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written to a private temporary file, then linked into place: a process that starts at the same
    # moment (gunicorn workers) either wins the link or reads the complete key of the one that did.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
    finally:
        tmp.unlink(missing_ok=True)
    key = path.read_text().strip()
    if not key:
        raise RuntimeError(f"{path} is empty: remove it to generate a new secret key")
    return key
