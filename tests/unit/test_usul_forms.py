"""The proposal forms of usul_perubahan_data: one pair per kind, valid against the real reference data."""
from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from app.forms import check_form, validate_submission
from app.models import DERIVED_COLUMNS, Base
from app.services.change_requests import DELETE_FORM, KINDS, proposable_fields
from app.services.reference import load_reference, reference_choices

FORMS = Path(__file__).resolve().parents[2] / "forms"
FORM_IDS = sorted({kind.form for kind in KINDS.values()} | {"usul_riwayat_golongan_pppk", DELETE_FORM})
FORBIDDEN_IN_DATA_UTAMA = {"nip", "nik", "tanggal_lahir", "jenis_kelamin", "pns_id", "kind"}


@pytest.fixture(scope="module")
def provider():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        load_reference(session)
        session.commit()
        yield functools.partial(reference_choices, session)
    engine.dispose()


def _pair(form_id: str) -> tuple[dict, dict]:
    schema = json.loads((FORMS / f"{form_id}.schema.json").read_text(encoding="utf-8"))
    ui = json.loads((FORMS / f"{form_id}.uischema.json").read_text(encoding="utf-8"))
    return schema, ui


def _kind_of(form_id: str) -> str | None:
    return next((k for k, v in KINDS.items() if v.form == form_id), "riwayat_golongan"
                if form_id == "usul_riwayat_golongan_pppk" else None)


def test_every_kind_has_a_form():
    """Is there a form for each of the ten history kinds and the data utama?"""
    assert len(KINDS) == 11
    for kind in KINDS.values():
        assert (FORMS / f"{kind.form}.schema.json").is_file() and (FORMS / f"{kind.form}.uischema.json").is_file()


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_form_passes_check_with_real_references(form_id, provider):
    """Can each form be drawn and validated with the shipped SIASN tables?"""
    assert check_form(*_pair(form_id), provider) == []


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_evidence_and_reason_are_required(form_id):
    """Does each form demand evidence and a reason, labelled in Indonesian?"""
    schema, ui = _pair(form_id)
    assert {"bukti", "alasan"} <= set(schema["required"])
    assert ui["bukti"]["ui:widget"] == "evidence" and ui["alasan"]["ui:widget"] == "textarea"
    assert all(ui[name].get("ui:title") for name in schema["properties"])


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_fields_are_proposable_columns(form_id):
    """Does a form offer only real, non-derived columns of its kind (so the post is the usulan)?"""
    schema, _ = _pair(form_id)
    fields = set(schema["properties"]) - {"bukti", "alasan"}
    kind = _kind_of(form_id)
    if kind is None:
        assert fields == set()
        return
    assert fields <= set(proposable_fields(kind))
    if kind == "data_utama":
        assert not fields & (set(DERIVED_COLUMNS) | FORBIDDEN_IN_DATA_UTAMA)


def test_data_utama_never_proposes_identity_or_derived_fields():
    """Are NIP, NIK, birth date, sex and derived columns outside the data utama proposal?"""
    assert not set(proposable_fields("data_utama")) & (set(DERIVED_COLUMNS) | FORBIDDEN_IN_DATA_UTAMA)
    for kind in KINDS:
        assert not set(proposable_fields(kind)) & {"id", "employee_id", "dokumen_id", "deleted_at"}


@pytest.mark.parametrize("form_id", ["usul_riwayat_golongan", "usul_riwayat_jabatan"])
def test_missing_sk_and_evidence_are_named(form_id, provider):
    """Does an empty submission name the SK number, SK date, evidence and reason?"""
    schema, ui = _pair(form_id)
    errors = validate_submission(schema, {}, ui, provider)
    assert {"sk_nomor", "sk_tanggal", "bukti", "alasan"} <= set(errors)


def test_wrong_golongan_code_is_refused_by_the_form(provider):
    """Does the golongan form refuse a code that is not in the SIASN table?"""
    schema, ui = _pair("usul_riwayat_golongan")
    data = {"golongan_id": "99", "tmt_golongan": "2024-04-01", "sk_nomor": "1", "sk_tanggal": "2024-03-01",
            "bukti": {"document_id": 1}, "alasan": "KP"}
    assert set(validate_submission(schema, data, ui, provider)) == {"golongan_id"}
