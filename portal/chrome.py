"""The page chrome (skip link, header with the navigation, phase banner, footer), rendered once
per role and reused: it is the same for everyone with the same role on the same page, and
rendering it for every request cost as much as some pages' own content.

What goes in is only what is the same for everyone of a role: the role, which navigation item
is the current page, and the council's and service's names from the configuration. Nothing about
the person: no name, no email, no child. The one per-session value, the sign-out form's CSRF
token, is a placeholder in the cached HTML, swapped for the session's own token on each request;
so is a family member's count of unread messages (UNREAD_PLACEHOLDER), read only on pages whose
chrome has the placeholder (a family member's header) and at most once a request.

The cache is per app and bounded: a few parts x the roles x the navigation's endpoints.
"""

from __future__ import annotations

from flask import Flask, current_app, g, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from portal.models import Role

PARTS = {
    "skip_link": "partials/chrome/skip_link.html",
    "header": "partials/chrome/header.html",
    "phase_banner": "partials/chrome/phase_banner.html",
    "footer": "partials/chrome/footer.html",
}
# Never a valid token (tokens are URL-safe base64 and dots), so it cannot clash with real content.
CSRF_PLACEHOLDER = "@@csrf-token@@"
# After the family's "Messages" item: " (2 unread)", or nothing when everything is read.
UNREAD_PLACEHOLDER = "@@unread-messages@@"

# The navigation for each role: (endpoint, label). The order is the order on the page.
NAVIGATION: dict[Role | None, tuple[tuple[str, str], ...]] = {
    None: (),
    Role.FAMILY: (("family.dashboard", "Assessments and plans"), ("conversations.family_inbox", "Messages")),
    Role.CASEWORKER: (("casework.caseload", "Caseload"), ("conversations.inbox", "Team inbox"),
                      ("intake.request_inbox", "New requests"), ("casework.children", "Children")),
    Role.MANAGER: (("casework.caseload", "Caseload"), ("conversations.inbox", "Team inbox"),
                   ("intake.request_inbox", "New requests"), ("casework.children", "Children"),
                   ("reports.report_page", "Governance report"), ("admin.invite_staff", "Invite staff")),
    Role.COPRODUCTION: (("coproduction.overview", "Overview"), ("coproduction.comments", "Comments"),
                        ("coproduction.themes", "Themes"), ("coproduction.actions", "You said, we did")),
    Role.ADMIN: (("admin.invite_staff", "Invite staff"), ("admin.users", "Accounts"),
                 ("admin.failed_emails", "Failed emails"), ("admin.closure_days", "Closure days"),
                 ("admin.case_import", "Import cases"), ("admin.audit_log", "Audit log")),
    Role.BOARD: (("reports.report_page", "Governance report"),),
}
# The navigation item followed by the unread count.
UNREAD_ITEM = "conversations.family_inbox"
ACCOUNT = ("auth.account", "Your account")


def navigation(role: Role | None) -> tuple[tuple[str, str], ...]:
    """The role's navigation items; everyone signed in also has their account."""
    if role is None:
        return ()
    return (*NAVIGATION.get(role, ()), ACCOUNT)


def _key(part: str, role: Role | None) -> tuple:
    if part != "header":
        return (part,)
    endpoint = request.endpoint
    current = endpoint if any(endpoint == item for item, _ in navigation(role)) else None
    return (part, role, current)


def _render(part: str, role: Role | None, current: str | None) -> Markup:
    config = current_app.config
    template = current_app.jinja_env.get_template(PARTS[part])
    html = template.render(
        role=role,
        items=navigation(role),
        current=current,
        signed_in=role is not None,
        csrf_token=lambda: CSRF_PLACEHOLDER,
        unread_item=UNREAD_ITEM,
        unread_placeholder=UNREAD_PLACEHOLDER,
        council={"name": config["COUNCIL_NAME"]},
        service_name=config["SERVICE_NAME"],
    )
    return Markup(html)  # noqa: S704 - a template rendered with autoescaping


def chrome(part: str) -> Markup:
    """The part of the page chrome for the signed-in person's role (or for no one signed in)."""
    role = current_user.role if current_user.is_authenticated else None
    key = _key(part, role)
    cache: dict[tuple, Markup] = current_app.extensions["chrome"]
    html = cache.get(key)
    if html is None:
        html = cache[key] = _render(part, role, key[2] if part == "header" else None)
    if CSRF_PLACEHOLDER in html:
        html = html.replace(CSRF_PLACEHOLDER, Markup.escape(generate_csrf()))
    if UNREAD_PLACEHOLDER in html:
        count = family_unread()
        html = html.replace(UNREAD_PLACEHOLDER, f" ({count} unread)" if count else "")
    return html


def family_unread_is(count: int) -> None:
    """A page that has counted the family member's unread messages itself (their list of
    conversations) gives the count here, and the navigation does not ask again."""
    g.family_unread = count


def family_unread() -> int:
    """The signed-in family member's unread messages, read once a request (the navigation and a
    page may both show it)."""
    if "family_unread" not in g:
        from portal.conversations import queries  # late: the conversations package imports much of the app

        g.family_unread = queries.family_unread_count(current_user.id)
    return g.family_unread


def init_app(app: Flask) -> None:
    app.extensions["chrome"] = {}
    app.jinja_env.globals["chrome"] = chrome
    app.jinja_env.globals["family_unread"] = family_unread
