"""Family forms. The answers to a request to link a child are buttons: the form carries only its
CSRF token, rendered without an id so that several can share a page."""

from flask_wtf import FlaskForm


class ButtonForm(FlaskForm):
    """A POST button: nothing to fill in but the CSRF token."""
