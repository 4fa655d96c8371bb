"""Every crawled page is valid HTML by the Nu Html Checker (vnu): both the HTML the server sent
and the DOM after GOV.UK Frontend's scripts ran (page.content()). One vnu run checks them all."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.known_problems import report
from tests.browser.support import skip_unless_ci

pytestmark = pytest.mark.browser


def test_nu_html_checker_finds_no_errors(crawl):
    if crawl.vnu.skipped:
        skip_unless_ci(crawl.vnu.skipped)
    pages = {file.name: page for page in crawl.checker.pages for file in page.html_files}
    problems = []
    for message in crawl.vnu.messages():
        if message.get("type") not in ("error", "non-document-error"):
            continue
        file = Path(message.get("url", "").removeprefix("file:")).name
        version = "as sent" if file.endswith("-sent.html") else "DOM after scripts"
        extract = " ".join(message.get("extract", "").split())[:160]
        detail = f"[{version}] line {message.get('lastLine')}: {message['message']}\n    {extract}"
        problems.append((pages.get(file), detail))
    report("vnu", problems, "The Nu Html Checker found errors")
