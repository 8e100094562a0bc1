"""Forms in the database: seeding from forms/, drafts that may be invalid, publication as version n+1,
and process versions pinning the form content of the moment they are published."""
from __future__ import annotations

import json
import shutil

import pytest
from sqlalchemy import func, select

from app.models import AuditEvent, FormDefinition
from app.services import definitions, form_store
from app.services.audit import SYSTEM
from app.services.errors import ConflictError, ForbiddenError, ValidationError
from tests.integration.test_processes import FORMS, actor, publish, user

NAME = "uji_verifikasi"
GOOD = json.dumps({"type": "object", "title": "Verifikasi (baru)",
                   "properties": {"catatan": {"type": "string", "maxLength": 300}}}, indent=2)
UI = json.dumps({"catatan": {"ui:title": "Catatan verifikasi", "ui:widget": "textarea"}}, indent=2)


def owner(dbs, world):
    return user(dbs, world, "pemilik.proses")


def rows(dbs, name: str = NAME, status: str | None = None) -> list[FormDefinition]:
    stmt = select(FormDefinition).where(FormDefinition.name == name).order_by(FormDefinition.version)
    return list(dbs.scalars(stmt if status is None else stmt.where(FormDefinition.status == status)))


def events(dbs, action: str) -> int:
    return dbs.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def publish_form(dbs, world, schema_text: str = GOOD, ui_text: str = UI, **kwargs) -> FormDefinition:
    u = owner(dbs, world)
    return form_store.publish(dbs, actor(u), u, NAME, schema_text, ui_text, **kwargs)


def test_sync_from_files_is_idempotent(dbs):
    """Does seeding from forms/ publish each file once as v1, and does a second run change nothing?"""
    first = form_store.sync_from_files(dbs, FORMS, SYSTEM)
    assert first == {"uji_perbaikan": "v1", "uji_periksa": "v1", "uji_verifikasi": "v1"}
    assert form_store.sync_from_files(dbs, FORMS, SYSTEM) == dict.fromkeys(first, "tetap")
    assert dbs.scalar(select(func.count()).select_from(FormDefinition)) == 3
    assert events(dbs, "form.published") == 3
    assert json.loads(rows(dbs, "uji_perbaikan")[0].ui_schema_text) == {}  # no UI file: an empty UI schema


def test_changed_file_is_published_unless_the_studio_changed_the_form(dbs, world, tmp_path):
    """Does a changed shipped file give v2, while a form published from the studio is never overwritten?"""
    form_store.sync_from_files(dbs, FORMS, SYSTEM)
    forms = tmp_path / "forms"
    shutil.copytree(FORMS, forms)
    path = forms / f"{NAME}.schema.json"
    path.write_text(path.read_text().replace("500", "100"))
    assert form_store.sync_from_files(dbs, forms, SYSTEM)[NAME] == "v2"
    publish_form(dbs, world)
    path.write_text(path.read_text().replace("100", "50"))
    assert form_store.sync_from_files(dbs, forms, SYSTEM)[NAME] == "diubah di studio; berkas tidak diterapkan"
    assert [(r.version, r.source) for r in rows(dbs)] == [(1, "shipped"), (2, "shipped"), (3, "studio")]


def test_invalid_json_is_kept_as_a_draft_with_line_and_column(dbs, world):
    """Is text that is not JSON saved only as a draft, its problem placed by line and column in Indonesian?"""
    form_store.sync_from_files(dbs, FORMS, SYSTEM)
    u = owner(dbs, world)
    broken = '{\n  "type": "object",\n  "properties": {,}\n}'
    draft, checked = form_store.save_draft(dbs, actor(u), u, NAME, broken, UI)
    assert draft.status == "draft" and draft.version == 1 and draft.schema_text == broken
    assert draft.problems == ["Skema JSON (baris 3, kolom 18): bukan JSON yang sah: nama properti harus diapit "
                              "tanda kutip ganda (\"…\"); periksa juga koma berlebih sebelum '}'."]
    assert not checked.ok and [r.version for r in rows(dbs, status="published")] == [1]
    assert form_store.published_content(dbs, f"{NAME}.schema.json")["properties"]["catatan"]["maxLength"] == 500
    assert events(dbs, "form.draft_saved") == 1


def test_invalid_schema_is_refused_at_publication_and_nothing_changes(dbs, world):
    """Is a schema breaking JSON Schema 2020-12 refused at publication with every problem, writing nothing?"""
    form_store.sync_from_files(dbs, FORMS, SYSTEM)
    before = events(dbs, "form.published")
    bad = json.dumps({"type": "object", "properties": {"a": {"type": "strin"}, "b": {"minLength": -1}}})
    with pytest.raises(ValidationError) as refused:
        publish_form(dbs, world, bad, "{}")
    assert refused.value.fields["formulir"] == [
        'Skema JSON: di properties/a/type: tipe "strin" tidak dikenal; gunakan salah satu: object, array, string, '
        'integer, number, boolean, null.',
        "Skema JSON: di properties/b/minLength: tidak boleh kurang dari 0."]
    assert [r.status for r in rows(dbs)] == ["published"] and events(dbs, "form.published") == before


def test_publication_is_version_n_plus_one_and_consumes_the_draft(dbs, world):
    """Does publishing give v2 from the owner's text, audited, with the draft gone and v1 unchanged?"""
    form_store.sync_from_files(dbs, FORMS, SYSTEM)
    v1_text = rows(dbs)[0].schema_text
    u = owner(dbs, world)
    form_store.save_draft(dbs, actor(u), u, NAME, GOOD, UI)
    published = publish_form(dbs, world, base_version=1)
    assert (published.version, published.status, published.published_by) == (2, "published", u.id)
    assert [(r.version, r.status) for r in rows(dbs)] == [(1, "published"), (2, "published")]
    assert rows(dbs)[0].schema_text == v1_text
    assert form_store.published_content(dbs, f"{NAME}.uischema.json") == json.loads(UI)
    event = dbs.scalars(select(AuditEvent).where(AuditEvent.action == "form.published")
                        .order_by(AuditEvent.seq.desc())).first()
    assert (event.actor_user_id, event.object_id, event.details["version"]) == (u.id, NAME, 2)


def test_stale_or_unchanged_publication_is_refused(dbs, world):
    """Is publishing refused when someone published since the page was opened, or when nothing changed?"""
    form_store.sync_from_files(dbs, FORMS, SYSTEM)
    publish_form(dbs, world)
    with pytest.raises(ConflictError, match="versi 2 sejak halaman ini dibuka"):
        publish_form(dbs, world, GOOD.replace("300", "200"), base_version=1)
    with pytest.raises(ValidationError, match="Tidak ada perubahan dibanding versi 2"):
        publish_form(dbs, world, GOOD + "\n")
    assert [r.version for r in rows(dbs)] == [1, 2]


def test_a_process_published_later_pins_the_new_form_and_the_old_version_keeps_its_own(dbs, world, tmp_path):
    """After a form is published, does the next process version pin the new content while v1 keeps the old?"""
    v1 = publish(dbs, tmp_path)
    old = dict(v1.forms[f"{NAME}.schema.json"])
    publish_form(dbs, world)
    v2 = publish(dbs, tmp_path)
    assert v2 is not None and v2.version == 2
    assert v2.forms[f"{NAME}.schema.json"] == json.loads(GOOD)
    dbs.expire_all()
    assert v1.forms[f"{NAME}.schema.json"] == old and f"{NAME}.uischema.json" not in v1.forms
    assert definitions.compiled(v1).forms[f"{NAME}.schema.json"] == old
    assert publish(dbs, tmp_path) is None  # nothing changed since: no version 3


def test_a_studio_form_is_known_to_process_publication(dbs, world):
    """Is a form created and published in the studio a known form whose content publication pins?"""
    u = owner(dbs, world)
    form_store.create(dbs, actor(u), u, "cuti_uji")
    assert "cuti_uji" not in definitions.known_forms(FORMS, dbs)  # a draft alone is not usable
    form_store.publish(dbs, actor(u), u, "cuti_uji", GOOD, UI, base_version=0)
    assert "cuti_uji" in definitions.known_forms(FORMS, dbs)
    assert definitions.pinned_forms(dbs, ["cuti_uji.schema.json"], FORMS) == {"cuti_uji.schema.json": json.loads(GOOD)}


@pytest.mark.parametrize("username", ["admin", "bkpsdm", "validator.dinkes", "asn.dinkes"])
def test_only_process_owners_change_forms(dbs, world, username):
    """Is saving, publishing or creating a form refused to everyone but a process owner?"""
    form_store.sync_from_files(dbs, FORMS, SYSTEM)
    u = user(dbs, world, username)
    for attempt in (lambda: form_store.save_draft(dbs, actor(u), u, NAME, GOOD, UI),
                    lambda: form_store.publish(dbs, actor(u), u, NAME, GOOD, UI),
                    lambda: form_store.create(dbs, actor(u), u, "baru_uji")):
        with pytest.raises(ForbiddenError):
            attempt()
    assert [r.status for r in rows(dbs)] == ["published"] and not rows(dbs, "baru_uji")


def test_names_and_sizes_are_checked(dbs, world):
    """Are a bad form name, a taken name and a schema over 256 KB refused with a clear message?"""
    form_store.sync_from_files(dbs, FORMS, SYSTEM)
    u = owner(dbs, world)
    with pytest.raises(ValidationError) as bad_name:
        form_store.create(dbs, actor(u), u, "Cuti Tahunan")
    assert "huruf kecil" in bad_name.value.fields["nama"][0]
    with pytest.raises(ConflictError, match="sudah ada"):
        form_store.create(dbs, actor(u), u, NAME)
    with pytest.raises(form_store.TooLargeError, match="256 KB"):
        form_store.save_draft(dbs, actor(u), u, NAME, " " * (256 * 1024 + 1), UI)
    assert not rows(dbs, status="draft")
