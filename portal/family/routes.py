"""Family pages: the children linked to this account. Another family's child is a 404."""

from flask import Blueprint, abort, render_template
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.access import roles
from portal.extensions import db
from portal.models import Child, FamilyLink, Role

bp = Blueprint("family", __name__)


def linked_child_or_404(child_id: int) -> FamilyLink:
    link = db.session.scalar(
        select(FamilyLink)
        .options(joinedload(FamilyLink.child).joinedload(Child.team))
        .where(FamilyLink.user_id == current_user.id, FamilyLink.child_id == child_id)
    )
    if link is None:
        abort(404)
    return link


@bp.route("/")
@roles(Role.FAMILY)
def dashboard():
    links = db.session.scalars(
        select(FamilyLink)
        .options(joinedload(FamilyLink.child).joinedload(Child.team))
        .where(FamilyLink.user_id == current_user.id)
        .join(FamilyLink.child)
        .order_by(Child.first_name, Child.id)
    ).all()
    return render_template("family/dashboard.html", links=links)


@bp.route("/children/<int:child_id>")
@roles(Role.FAMILY)
def child(child_id: int):
    link = linked_child_or_404(child_id)
    return render_template("family/child.html", link=link, child=link.child)
