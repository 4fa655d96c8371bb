"""Password hashing (argon2id) and the password rules.

Rules follow NCSC guidance: at least 12 characters, no composition rules, paste allowed, and the
most guessable passwords refused (zxcvbn's frequency lists and pattern checks).
"""

import re
from contextlib import suppress
from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 256
# zxcvbn score 3: "safely unguessable" against an online attack and a slow-hash offline one.
MIN_SCORE = 3
# zxcvbn raises ValueError for a longer password.
ZXCVBN_MAX = 72


@cache
def _hasher(fast: bool) -> PasswordHasher:
    # The test suite uses argon2's cheapest profile to stay quick; everything else RFC 9106's.
    return PasswordHasher.from_parameters(profiles.CHEAPEST if fast else profiles.RFC_9106_LOW_MEMORY)


def hasher() -> PasswordHasher:
    return _hasher(bool(current_app.config.get("PASSWORD_HASH_FAST", False)))


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password. With no hash, do the same work anyway so timing reveals nothing."""
    if password_hash is None:
        _burn(password)
        return False
    try:
        return hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _burn(password: str) -> None:
    with suppress(VerificationError, InvalidHashError):
        hasher().verify(_dummy_hash(), password)


@cache
def _dummy_hash() -> str:
    return hasher().hash("not a real password, only for equal timing")


def password_problem(password: str, user_inputs: list[str] | None = None) -> str | None:
    """Return a GOV.UK-style error message, or None when the password is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    if not password.strip():
        return "Password must not be only spaces"
    hints = [value for value in user_inputs or [] if value]
    # zxcvbn matches each hint only as a whole word: add the parts of an email address or name
    # ("jo.bloggs@example.org" -> "jo.bloggs", "bloggs", ...) so that they count as guessable too.
    hints += [part for value in hints for part in re.split(r"\W+", value) + value.split("@") if len(part) > 2]
    if not any(zxcvbn(part, user_inputs=hints)["score"] >= MIN_SCORE for part in _windows(password)):
        return (
            "Password is too easy to guess. Use 3 or more random words, "
            "or a longer password"
        )
    return None


def _windows(password: str) -> list[str]:
    """The password, or for one longer than zxcvbn takes, overlapping parts of it that zxcvbn
    can judge. zxcvbn refuses more than ZXCVBN_MAX characters (its matching grows much faster than
    the length: 256 random characters take seconds), so a long password is judged part by part:
    it is strong when any part is, since guessing it means guessing that part too. The parts
    overlap by half, so a strong stretch of up to half a part is never split between two."""
    if len(password) <= ZXCVBN_MAX:
        return [password]
    step = ZXCVBN_MAX // 2
    starts = [*range(0, len(password) - ZXCVBN_MAX, step), len(password) - ZXCVBN_MAX]
    return [password[start : start + ZXCVBN_MAX] for start in starts]
