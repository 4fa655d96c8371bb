"""Encryption at rest for secrets the service must read back (staff TOTP secrets).

Uses `cryptography`'s Fernet (AES-128-CBC with HMAC-SHA256, authenticated) through MultiFernet,
so keys can be rotated: `ENCRYPTION_KEYS` lists Fernet keys, newest first; the first encrypts,
any of them decrypts, and every value saved is encrypted with the newest.
"""

from __future__ import annotations

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator


class DecryptionFailed(RuntimeError):
    """A stored secret could not be decrypted with any configured key."""


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def _current() -> MultiFernet:
    keys = tuple(current_app.config["ENCRYPTION_KEYS"])
    if not keys:
        raise RuntimeError("ENCRYPTION_KEYS is empty")
    return _fernet(keys)


def encrypt(value: str) -> str:
    return _current().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _current().decrypt(token.encode()).decode()
    except InvalidToken:
        raise DecryptionFailed("a stored secret could not be decrypted with ENCRYPTION_KEYS") from None


class EncryptedText(TypeDecorator[str]):
    """A string column stored encrypted; Python code only ever sees the plain value."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else decrypt(value)
