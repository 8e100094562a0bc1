"""Evidence documents: a download (attachment) and an in-page preview (inline), each sent only to a
user allowed to see the document (services.request_access); everyone else gets 'not found'."""
from __future__ import annotations

from flask import Blueprint, current_app, send_file
from flask_login import current_user, login_required

from ..services import documents
from ..services.request_access import visible_document
from .common import actor, session

bp = Blueprint("documents", __name__, url_prefix="/dokumen")


def _send(document_id: int, *, inline: bool):
    document = visible_document(session(), current_user, actor(), document_id)
    path = documents.open_document(current_app.config["SETTINGS"].document_store, document)
    response = send_file(path, mimetype=document.media_type, conditional=False, max_age=0)
    response.headers.update(documents.send_headers(document, inline=inline))
    return response


@bp.get("/<int:document_id>")
@login_required
def download(document_id: int):
    return _send(document_id, inline=False)


@bp.get("/<int:document_id>/pratinjau")
@login_required
def preview(document_id: int):
    return _send(document_id, inline=True)
