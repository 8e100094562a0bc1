"""Kotak Tugas: the tasks a user may act on, claim and release, and the task page with its form."""
from __future__ import annotations

import functools

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select

from ..engine.rules import SCHEMA_SUFFIX, UI_SCHEMA_SUFFIX
from ..forms import (
    added_row,
    bind_uploads,
    document_ids,
    parse_submission,
    render_form,
    validate_submission,
)
from ..models import (
    Employee,
    HumanTask,
    ProcessDefinition,
    ProcessInstance,
    ProcessVersion,
    User,
)
from ..models.base import utcnow
from ..services import change_requests, documents, employees, inbox, processes
from ..services.errors import BadRequestError, ConflictError, DomainError, NotFoundError
from ..services.reference import reference_choices
from ..services.request_access import instance_documents, referenced_ids, visible_instance
from ..web import tanggal
from .common import actor, int_arg, session, str_arg

bp = Blueprint("tasks", __name__, url_prefix="/tugas")
TABS = {"semua": "Semua tugas", "diklaim": "Diklaim saya", "terlambat": "Terlambat"}
FRESH_FIELDS = ("keputusan", "catatan")  # a decision is asked anew each time, never prefilled


@bp.get("/")
@login_required
def index():
    db, page = session(), int_arg("halaman")
    tab, sort = _choice("tab", TABS, "semua"), _choice("urut", inbox.SORT_LABELS, "due")
    opds = employees.opd_choices(db, current_user)
    wanted = inbox.check_filter(db, inbox.InboxFilter(
        process=str_arg("proses") or None, category=str_arg("kategori") or None, opd=str_arg("opd") or None,
        older_than_days=int_arg("umur", default=0, minimum=0, maximum=365) or None,
        overdue=tab == "terlambat", claimed_only=tab == "diklaim"), {unit.id for unit in opds})
    tasks = inbox.tasks_for(db, current_user, wanted, sort=sort, offset=(page - 1) * inbox.PAGE_SIZE)
    total = inbox.count_for(db, current_user, wanted)
    processes_ = db.scalars(select(ProcessDefinition).order_by(ProcessDefinition.name)).all()
    args = {key: value for key, value in {  # the filters, kept in the tab and pager links
        "tab": tab, "proses": wanted.process, "kategori": wanted.category, "opd": wanted.opd,
        "umur": wanted.older_than_days}.items() if value}
    return render_template("tasks/list.html", tasks=tasks, tabs=TABS, tab=tab, wanted=wanted, sort=sort, args=args,
                           now=utcnow(), rows=_rows(db, tasks, processes_), total=total, page=page,
                           pages=max(1, -(-total // inbox.PAGE_SIZE)), processes=processes_, opds=opds,
                           categories=inbox.CATEGORY_LABELS, ages=inbox.AGE_LABELS, count_cap=inbox.COUNT_CAP)


def _choice(name: str, allowed, default: str) -> str:
    value = str_arg(name) or default
    if value not in allowed:
        raise BadRequestError(f"Nilai '{value[:20]}' untuk '{name}' tidak dikenal; pilih dari pilihan di halaman.")
    return value


def _rows(db, tasks: list[HumanTask], definitions: list[ProcessDefinition]) -> dict:
    """Per task: its process name, subject employee and holder, for the table (two reads for the page)."""
    names = {definition.key: definition.name for definition in definitions}
    people = {e.id: e for e in db.scalars(select(Employee).where(
        Employee.id.in_({t.subject_employee_id for t in tasks if t.subject_employee_id})))}
    holders = {u.id: u for u in db.scalars(select(User).where(
        User.id.in_({t.assignee_user_id for t in tasks if t.assignee_user_id})))}
    return {task.id: {"process": names.get(task.process_key, task.process_key),
                      "category": inbox.CATEGORY_LABELS.get(task.category),
                      "employee": people.get(task.subject_employee_id),
                      "holder": holders.get(task.assignee_user_id)} for task in tasks}


@bp.post("/<int:task_id>/ambil")
@login_required
def claim(task_id: int):
    processes.claim(session(), current_user, actor(), task_id)
    flash("Tugas telah Anda ambil; pengguna lain tidak lagi melihatnya di kotak tugas.", "success")
    return _back(task_id)


@bp.post("/<int:task_id>/lepas")
@login_required
def release(task_id: int):
    processes.release(session(), current_user, actor(), task_id)
    flash("Tugas telah dilepas dan kembali tersedia bagi rekan dengan peran yang sama.", "success")
    return _back(task_id)


def _back(task_id: int):
    if request.form.get("kembali") == "tugas":
        return redirect(url_for("tasks.detail", task_id=task_id))
    return redirect(url_for("tasks.index"))


def _actionable(db, task_id: int) -> HumanTask:
    task = db.get(HumanTask, task_id)
    if task is None or not inbox.can_act(db, current_user, task):
        raise NotFoundError(processes.NOT_FOUND)
    return task


def _form(version: ProcessVersion, task: HumanTask) -> tuple[dict | None, dict | None]:
    if not task.form_id:
        return None, None
    schema = version.forms.get(task.form_id)
    stem = task.form_id.removesuffix(SCHEMA_SUFFIX)
    return schema, version.forms.get(stem + UI_SCHEMA_SUFFIX)


def _task_data(db, task: HumanTask) -> dict:
    """The task's data; a proposal's fields are lifted to the top so its own form starts from them."""
    data = processes.task_data(db, actor(), task)
    if isinstance(data.get("usulan"), dict):
        data = {**data, **data["usulan"]}
    return data


def _comparison(db, instance: ProcessInstance, data: dict):
    """The side-by-side rows of a change request, or None for other processes."""
    kind, proposed = data.get("jenis"), data.get("usulan")
    employee = db.get(Employee, instance.subject_employee_id) if instance.subject_employee_id else None
    if not kind or not isinstance(proposed, dict) or employee is None:
        return None
    try:
        current = {} if data.get("operasi") == "tambah" else change_requests.current_values(
            db, employee, kind, data.get("record_id"))
        return change_requests.compare(current, proposed, kind, session=db)
    except DomainError:
        return None


def _page(db, task: HumanTask, data: dict | None = None, errors: dict | None = None, status: int = 200):
    instance = db.get(ProcessInstance, task.instance_id)
    version = db.get(ProcessVersion, instance.version_id)
    schema, ui = _form(version, task)
    task_data = _task_data(db, task)
    if data is None:
        data = {key: value for key, value in task_data.items() if key not in FRESH_FIELDS}
    provider = functools.partial(reference_choices, db)
    form_html = render_form(schema, ui, data, errors, provider) if schema else None
    holder = db.get(User, task.assignee_user_id) if task.assignee_user_id else None
    return render_template(
        "tasks/detail.html", task=task, instance=instance, form_html=form_html, errors=errors or {},
        employee=db.get(Employee, instance.subject_employee_id) if instance.subject_employee_id else None,
        events=processes.timeline(db, instance.id), evidence=instance_documents(db, instance),
        comparison=_comparison(db, instance, task_data), holder=holder, now=utcnow()), status


@bp.get("/<int:task_id>")
@login_required
def detail(task_id: int):
    db = session()
    return _page(db, _actionable(db, task_id))


@bp.post("/<int:task_id>")
@login_required
def submit(task_id: int):
    db = session()
    expected = _expected_version()
    task = db.get(HumanTask, task_id)
    if task is None:
        _explain_stale(db, expected)
    task = _actionable(db, task_id)
    instance = db.get(ProcessInstance, task.instance_id)
    schema, ui = _form(db.get(ProcessVersion, instance.version_id), task)
    data, errors = _read(db, instance, schema, ui) if schema else ({}, {})
    if schema and added_row(request.form):
        return _page(db, task, data)
    if errors:
        db.commit() if request.files else db.rollback()  # keep a file already accepted, so it is not asked again
        flash("Isian formulir belum benar; periksa kolom yang ditandai.", "error")
        return _page(db, task, data, errors, 422)
    processes.complete_task(db, current_user, actor(), task_id, data, expected_version=expected)
    flash(f"Tugas \u201c{task.task_name}\u201d telah diselesaikan.", "success")
    return redirect(url_for("tasks.index"))


def _expected_version() -> int | None:
    raw = request.form.get("expected_version", "").strip()
    return int(raw) if raw.isdigit() else None


def _explain_stale(db, expected: int | None) -> None:
    """The task is gone: if the posted page was of a request the user may see, say who acted (409)."""
    raw = request.form.get("usulan", "").strip()
    if not raw.isdigit() or expected is None:
        raise NotFoundError(processes.NOT_FOUND)
    instance = visible_instance(db, current_user, int(raw))
    if instance.lock_version == expected:
        raise NotFoundError(processes.NOT_FOUND)
    last = processes.timeline(db, instance.id)[-1:]
    if not last:
        raise ConflictError("Tugas ini sudah diselesaikan oleh pengguna lain.")
    raise ConflictError(f"Tugas ini sudah diselesaikan oleh {last[0].actor_label} pada {tanggal(last[0].occurred_at)}. "
                        "Halaman yang Anda kirim sudah usang; buka Kotak Tugas untuk melihat keadaan terbaru.")


def _read(db, instance: ProcessInstance, schema: dict, ui: dict | None) -> tuple[dict, dict]:
    """Store uploads, parse and validate the post; the data and the per-field errors."""
    store_dir = current_app.config["SETTINGS"].document_store

    def store(upload, kind):
        return documents.store_upload(db, store_dir, upload, upload.filename, current_user.id, kind).id

    form, errors = bind_uploads(schema, ui, request.form, request.files, store)
    data = parse_submission(schema, ui, form)
    errors = validate_submission(schema, data, ui, functools.partial(reference_choices, db)) | errors
    foreign = set(document_ids(schema, ui, data)) - referenced_ids(db, instance)
    try:
        documents.get_documents(db, sorted(foreign), uploaded_by=current_user.id)
    except NotFoundError:
        errors.setdefault("", []).append("Dokumen yang dilampirkan tidak ditemukan; unggah ulang berkasnya.")
    return data, errors
