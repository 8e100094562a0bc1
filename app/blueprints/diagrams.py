"""The BPMN diagram of a request as JSON, for the bpmn-js viewer on the task and request pages."""
from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user, login_required

from ..services import diagrams
from ..services.request_access import visible_instance
from .common import session

bp = Blueprint("diagrams", __name__, url_prefix="/proses")


@bp.get("/<int:instance_id>/diagram")
@login_required
def diagram(instance_id: int):
    """Only for users who may see the request; anyone else gets 404 (as if it did not exist)."""
    db = session()
    instance = visible_instance(db, current_user, instance_id)
    response = jsonify(diagrams.diagram_state(db, instance))
    response.headers["Cache-Control"] = "no-store"
    return response
