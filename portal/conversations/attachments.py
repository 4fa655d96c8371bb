"""Files sent with a message: checked, stored and read back.

- At most MAX_FILES a message and MAX_FILE_BYTES each.
- The type comes from the content (the `filetype` library reads the file's signature), never
  from the name or the browser's claim: PDF, JPEG, PNG and Word (DOCX) only, and the name's
  extension must match what the content is.
- Stored in ATTACHMENT_DIR (outside the web root; shared storage when several app servers run)
  under a random name. The sender's file name is kept only to show, as text, and to name the
  download.
"""

from __future__ import annotations

import os
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import filetype
from flask import current_app
from werkzeug.datastructures import FileStorage

MAX_FILES = 5
MAX_FILE_BYTES = 10 * 1024 * 1024
# Detected MIME type -> (what people call it, the extensions its name may have).
ALLOWED = {
    "application/pdf": ("PDF", (".pdf",)),
    "image/jpeg": ("JPEG", (".jpg", ".jpeg")),
    "image/png": ("PNG", (".png",)),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("Word", (".docx",)),
}
ALLOWED_WORDS = "a PDF, JPEG, PNG or Word (DOCX) file"
MAX_NAME_LENGTH = 255


@dataclass(frozen=True)
class CheckedFile:
    file_name: str
    content_type: str
    content: bytes


class FileProblem(ValueError):
    """A file refused, with the message the sender reads."""


def clean_name(raw: str | None) -> str:
    """The name to show: no folders, no control characters, at most 255 characters."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C").strip()
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        name = (stem[: MAX_NAME_LENGTH - len(extension) - 1] + dot + extension) if dot else name[:MAX_NAME_LENGTH]
    return name or "file"


def chosen(files: list[FileStorage] | None) -> list[FileStorage]:
    """The files actually chosen: a form with an empty file input sends one with no name, and
    text sent in the files field (not a file at all) is no file."""
    return [file for file in files or [] if isinstance(file, FileStorage) and file.filename]


def check(files: list[FileStorage]) -> list[CheckedFile]:
    """Read and check each file; FileProblem names the first one refused."""
    if len(files) > MAX_FILES:
        raise FileProblem(f"Choose {MAX_FILES} files or fewer")
    checked = []
    for file in files:
        name = clean_name(file.filename)
        content = file.stream.read(MAX_FILE_BYTES + 1)
        if len(content) > MAX_FILE_BYTES:
            raise FileProblem(f"‘{name}’ must be smaller than {MAX_FILE_BYTES // (1024 * 1024)}MB")
        if not content:
            raise FileProblem(f"‘{name}’ is empty")
        kind = filetype.guess(content[:8192])
        allowed = ALLOWED.get(kind.mime) if kind is not None else None
        claimed = next((label for label, extensions in ALLOWED.values() if name.lower().endswith(extensions)), None)
        if allowed is None and claimed is not None:
            raise FileProblem(f"‘{name}’ is not a real {claimed} file, or it is damaged. Choose {ALLOWED_WORDS}")
        if allowed is None:
            raise FileProblem(f"‘{name}’ must be {ALLOWED_WORDS}")
        label, extensions = allowed
        if not name.lower().endswith(extensions):
            raise FileProblem(
                f"‘{name}’ is a {label} file but its name does not say so. "
                f"Rename it to end in {extensions[0]}, or choose another file"
            )
        checked.append(CheckedFile(name, kind.mime, content))
    return checked


def folder() -> Path:
    path = Path(current_app.config["ATTACHMENT_DIR"])
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def store(file: CheckedFile) -> str:
    """Write the file under a new random name and return the name."""
    stored_name = secrets.token_hex(32)
    descriptor = os.open(folder() / stored_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(file.content)
    return stored_name


def path_of(stored_name: str) -> Path:
    if not stored_name.isalnum():
        raise ValueError("not a stored name")
    return folder() / stored_name


def size_words(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))}KB"
    return f"{size / (1024 * 1024):.1f}MB"
