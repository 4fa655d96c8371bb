"""Who may see each view. Every view declares a rule; a test fails for any that does not.

- `@public`: anyone, signed in or not.
- `@roles(Role.CASEWORKER, ...)`: signed-in users with one of those roles. Others get 403;
  people who are not signed in go to the sign-in page.

Object-level checks (a family member reaching another family's child) are made by the queries in
each area and answer 404, so that nothing confirms a record exists.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn

from flask import abort, request
from flask_login import current_user

from portal import audit
from portal.extensions import db, login_manager
from portal.models import STAFF_ROLES, Role

PUBLIC = "public"
ACCESS_ATTRIBUTE = "access_rule"


def public(view: Callable[..., Any]) -> Callable[..., Any]:
    setattr(view, ACCESS_ATTRIBUTE, PUBLIC)
    return view


def roles(*allowed: Role) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    allowed_roles = frozenset(allowed)
    if not allowed_roles:
        raise ValueError("name at least one role")

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in allowed_roles:
                audit.record("access-refused", actor=current_user, target=request.path[:120])
                db.session.commit()
                abort(403)
            return view(*args, **kwargs)

        setattr(wrapped, ACCESS_ATTRIBUTE, allowed_roles)
        return wrapped

    return decorator


ANY_SIGNED_IN = tuple(Role)
STAFF = tuple(sorted(STAFF_ROLES))
CASE_STAFF = (Role.CASEWORKER, Role.MANAGER)


def refuse_record(target: str) -> NoReturn:
    """A record this person may not reach (another family's child, another team's case), or one
    that does not exist: a 404 either way, so nothing confirms it exists, and an audit event."""
    db.session.rollback()
    audit.record("record-refused", actor=current_user if current_user.is_authenticated else None, target=target)
    db.session.commit()
    abort(404)


def access_rule(view: Callable[..., Any]) -> str | frozenset[Role] | None:
    return getattr(view, ACCESS_ATTRIBUTE, None)
