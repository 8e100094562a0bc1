"""A small, known world for the integration tests: four employees in three OPDs and an account
for every role and scope combination that the authorization matrix needs."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.domain.identity import make_nik, make_nip
from app.models import Employee, OpdScope, OrgUnit, RoleGrant, User
from app.services import enrolment
from app.services.audit import SYSTEM
from app.services.passwords import hash_password

PASSWORD = "kata-sandi-uji-1"

EMPLOYEES = {
    # key: (unit finder, name, birth, sex, kind)
    "dinkes": ("DINKES-SEKRETARIAT", "Siti Nurhaliza", date(1985, 3, 12), "F", "PNS"),
    "puskesmas": ("puskesmas", "Budi Santoso", date(1979, 8, 1), "M", "PNS"),
    "dindik": ("DINDIK-SEKRETARIAT", "Dewi Lestari", date(1990, 11, 23), "F", "PPPK"),
    "kecamatan": ("KEC-CIPONDOH-SEKRETARIAT", "Ahmad Fauzi", date(1972, 1, 5), "M", "PNS"),
}

USERS = {
    # username: (roles, scope unit keys, employee key)
    "asn.dinkes": (("asn",), (), "dinkes"),
    "asn.dindik": (("asn",), (), "dindik"),
    "validator.dinkes": (("validator_opd",), ("OPD-DINKES",), None),
    "validator.puskesmas": (("validator_opd",), ("puskesmas",), None),
    "validator.dindik": (("validator_opd",), ("OPD-DINDIK",), None),
    "validator.tanpa-cakupan": (("validator_opd",), (), None),
    "bkpsdm": (("bkpsdm",), (), None),
    "kepala": (("kepala_bkpsdm",), (), None),
    "pemilik.proses": (("process_owner",), (), None),
    "admin": (("admin",), (), None),
    "tanpa-peran": ((), (), None),
}


def _unit_id(session, key: str) -> str:
    if key == "puskesmas":
        return session.scalar(select(OrgUnit.id).where(OrgUnit.opd_id == "OPD-DINKES", OrgUnit.kind == "puskesmas")
                              .order_by(OrgUnit.id))
    assert session.get(OrgUnit, key) is not None, f"unit {key} missing from the org tree"
    return key


def _employee_form(session, key: str, serial: int) -> dict:
    unit, name, birth, sex, kind = EMPLOYEES[key]
    tmt = date(birth.year + 25, 3, 1)
    nip = make_nip(birth, sex, serial, pppk_year=tmt.year) if kind == "PPPK" else make_nip(birth, sex, serial, tmt=tmt)
    return {
        "nip": nip, "nik": make_nik(36, 71, 2, birth, sex, serial), "nama": name, "tempat_lahir": "Tangerang",
        "tanggal_lahir": birth.isoformat(), "jenis_kelamin": sex, "agama_id": "1", "jenis_kawin_id": "1",
        "kind": kind, "tmt_cpns": tmt.isoformat() if kind != "PPPK" else "", "unor_id": _unit_id(session, unit),
        "jabatan_nama": "Pengadministrasi Umum", "jenis_jabatan_id": "4",
        "golongan_id": "PPPK-IX" if kind == "PPPK" else "31", "tmt_golongan": tmt.isoformat(),
        "tmt_jabatan": tmt.isoformat(), "reason": "Data uji",
    }


def build(session) -> dict:
    registrar = User(username="_pendaftar_uji", display_name="Pendaftar uji", password_hash="-", active=False)
    session.add(registrar)
    session.flush()
    session.add(RoleGrant(user_id=registrar.id, role="bkpsdm"))
    session.flush()
    session.refresh(registrar)
    employees = {}
    for serial, key in enumerate(EMPLOYEES, start=1):
        employees[key] = enrolment.create_employee(session, registrar, SYSTEM, _employee_form(session, key, serial)).id
    password_hash = hash_password(PASSWORD)
    users = {name: _user(session, name, spec, employees, password_hash) for name, spec in USERS.items()}
    session.commit()
    units = {key: _unit_id(session, EMPLOYEES[key][0]) for key in EMPLOYEES}
    return {"employees": employees, "users": users, "units": units, "puskesmas": _unit_id(session, "puskesmas")}


def _user(session, username, spec, employees, password_hash) -> int:
    roles, scopes, employee_key = spec
    user = User(username=username, display_name=username.replace(".", " ").title(), password_hash=password_hash,
                employee_id=employees[employee_key] if employee_key else None)
    session.add(user)
    session.flush()
    session.add_all(RoleGrant(user_id=user.id, role=r) for r in roles)
    session.add_all(OpdScope(user_id=user.id, unit_id=_unit_id(session, s)) for s in scopes)
    return user.id


def employee(session, world: dict, key: str) -> Employee:
    return session.get(Employee, world["employees"][key])
