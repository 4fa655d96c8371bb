"""One urllib opener for the official SendGrid client, instead of one per email.

`python_http_client` (the HTTP layer under `sendgrid`, pinned in constraints.txt) calls
`urllib.request.build_opener()` for every request: ten handler objects and a scan of the whole
environment for proxy settings, about a millisecond of CPU for each email, a seventh of what the
worker spends on one. An opener holds no connection and no per-request state (each request opens
its own HTTP connection), so one built at start-up serves every request and every sender thread.
The change is confined to that library's module: nothing else's urllib is touched. The proxy
settings are read once, when the opener is built.
"""

from __future__ import annotations

import urllib.request

import python_http_client.client as http_client


class _OneOpener:
    """Stands in for `urllib.request` inside python_http_client: the two names it uses."""

    Request = urllib.request.Request

    def __init__(self) -> None:
        self.opener = urllib.request.build_opener()

    def build_opener(self) -> urllib.request.OpenerDirector:
        return self.opener


def use_one_opener() -> None:
    if not isinstance(http_client.urllib, _OneOpener):
        http_client.urllib = _OneOpener()
