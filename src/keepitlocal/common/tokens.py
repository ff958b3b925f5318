"""Single-use links: a random token goes out in an email; only its hash is stored, so a copy of the database cannot
act for anyone who was sent a link."""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
