"""Studio Proses: the processes a process owner edits and the BPMN editor (bpmn-js Modeler) with its
draft, checks, import, download and publication. The editor's script talks JSON with these routes."""
from __future__ import annotations

from dataclasses import asdict

from flask import (Blueprint, Response, flash, jsonify, redirect, render_template, request,
                   url_for)
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from ..services import authz, studio, studio_options
from .common import actor, session
from .errors import TITLES

bp = Blueprint("studio", __name__, url_prefix="/studio")
# the editor sends the XML itself as the body (no form encoding), so the body limit is the XML limit
BODY_LIMIT = studio.MAX_XML_BYTES
# the draft the editor last saw (its stamp, "" for none): a save over someone else's newer draft is refused
STAMP_HEADER = "X-Draft-Stamp"


@bp.url_value_preprocessor
def _limit_body(_endpoint, _values):
    """Runs before every before_request (the CSRF check reads the body too): larger bodies are refused
    from their Content-Length, unread."""
    request.max_content_length = BODY_LIMIT


@bp.before_request
@login_required
def _only_process_owners():
    authz.require_role(current_user, studio.EDITOR_ROLE)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    message = (f"Berkas atau diagram terlalu besar: paling besar {studio.MAX_XML_BYTES // (1024 * 1024)} MB. "
               "Tidak ada yang disimpan.")
    if _wants_json():
        return jsonify(error=TITLES[413], message=message, fields={}), 413
    return render_template("error.html", status=413, title=TITLES[413], message=message, fields={}), 413


@bp.get("")
def index():
    return render_template("studio/index.html", processes=studio.list_processes(session(), current_user))


@bp.get("/<key>/sunting")
def edit(key: str):
    db = session()
    state = studio.editor_state(db, current_user, key)
    return render_template("studio/edit.html", state=state,
                           options=studio_options.editor_options(db, current_user),
                           max_bytes=studio.MAX_XML_BYTES, draft_stamp=studio.draft_stamp(state.draft))


@bp.post("/<key>/draf")
def save_draft(key: str):
    draft, problems = studio.save_draft(session(), actor(), current_user, key, request.get_data(),
                                        expected_stamp=request.headers.get(STAMP_HEADER))
    return jsonify(saved=True, stamp=studio.draft_stamp(draft), problems=_problems(problems))


@bp.post("/<key>/periksa")
def check(key: str):
    problems = studio.check(session(), current_user, key, request.get_data())
    return jsonify(problems=_problems(problems))


@bp.post("/<key>/impor")
def import_file(key: str):
    filename = request.headers.get("X-Filename", "")
    draft, problems = studio.import_file(session(), actor(), current_user, key, filename, request.get_data(),
                                         expected_stamp=request.headers.get(STAMP_HEADER))
    return jsonify(saved=True, xml=draft.bpmn_xml, stamp=studio.draft_stamp(draft), problems=_problems(problems))


@bp.post("/<key>/terbitkan")
def publish(key: str):
    version = studio.publish(session(), actor(), current_user, key)
    message = (f"Versi {version.version} diterbitkan. Permohonan baru memakai versi ini; "
               "instans yang sedang berjalan tetap memakai versinya.")
    flash(message, "success")
    return jsonify(version=version.version, message=message,
                   versions_url=url_for("studio_admin.versions", key=key))


@bp.post("/<key>/buang-draf")
def discard_draft(key: str):
    studio.discard_draft(session(), actor(), current_user, key)
    flash("Draf dibuang; penyunting kembali ke versi terbit terakhir.", "success")
    return redirect(url_for(".edit", key=key))


@bp.get("/<key>/draf.bpmn")
def download_draft(key: str):
    xml = studio.draft_xml(session(), current_user, key)
    return Response(xml, mimetype="application/xml", headers={
        "Content-Disposition": f'attachment; filename="{key}_draf.bpmn"', "X-Content-Type-Options": "nosniff"})


def _problems(problems) -> list[dict]:
    return [asdict(problem) for problem in problems]


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json" or request.method == "POST"
