"""The public pages that ask for an assessment (one question a page, check your answers, confirm
the email address, confirmation)."""

from portal.intake import bp  # noqa: F401
