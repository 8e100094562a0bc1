"""Studio pages for process owners: the versions of a process (who published what and when, the XML of
each, an element comparison of two) and moving running instances to a newer version."""
from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_login import current_user, login_required

from ..services import authz, instance_migration, process_versions
from ..services.errors import BadRequestError
from .common import actor, int_arg, session

bp = Blueprint("studio_admin", __name__, url_prefix="/studio")
CHANGE_LABELS = {"added": "Ditambahkan", "removed": "Dihapus", "changed": "Diubah"}


@bp.before_request
@login_required
def _only_process_owners():
    authz.require_role(current_user, *process_versions.OWNER_ROLES)


@bp.get("/<key>/versi")
def versions(key: str):
    db = session()
    definition, rows = process_versions.versions(db, current_user, key)
    chosen = _chosen_pair(rows)
    changes = process_versions.compare_versions(db, key, *chosen, user=current_user) if chosen else None
    return render_template("studio_admin/versions.html", definition=definition, versions=rows, chosen=chosen,
                           changes=changes, labels=CHANGE_LABELS)


@bp.get("/<key>/versi/<int:number>.bpmn")
def download(key: str, number: int):
    xml = process_versions.version_xml(session(), current_user, key, number)
    return Response(xml, mimetype="application/xml", headers={
        "Content-Disposition": f'attachment; filename="{key}_v{number}.bpmn"', "X-Content-Type-Options": "nosniff"})


@bp.get("/<key>/migrasi")
def migration(key: str):
    db = session()
    definition, rows = process_versions.versions(db, current_user, key)
    target = int_arg("ke", default=rows[0].version if rows else 1)
    verdicts = instance_migration.dry_run(db, key, target, user=current_user)
    return render_template("studio_admin/migration.html", definition=definition, versions=rows, target=target,
                           verdicts=verdicts)


@bp.post("/<key>/migrasi")
def migrate(key: str):
    db = session()
    definition, _ = process_versions.versions(db, current_user, key)
    target = _form_int("ke")
    # every listed instance is tried again under its lock: the compatible move, the others are refused with the reason
    listed = [v.instance_id for v in instance_migration.dry_run(db, key, target, user=current_user)]
    results = instance_migration.migrate(db, actor(), listed, target, process_key=key, user=current_user)
    return render_template("studio_admin/migration_result.html", definition=definition, target=target,
                           results=results)


def _chosen_pair(rows) -> tuple[int, int] | None:
    if "dari" not in request.args and "ke" not in request.args:
        return None
    latest = rows[0].version if rows else 1
    return int_arg("dari", default=max(1, latest - 1)), int_arg("ke", default=latest)


def _form_int(name: str) -> int:
    raw = request.form.get(name, "").strip()
    if not raw.isdigit() or not 1 <= int(raw) <= 1_000_000:
        raise BadRequestError(f"Isian '{name}' harus nomor versi (bilangan bulat); diberikan '{raw[:20]}'.")
    return int(raw)
