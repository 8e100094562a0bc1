"""Employees with known KGB and retirement dates, for the due-date tests; the clock they assume."""
from __future__ import annotations

import itertools
from datetime import date, datetime, timezone

from sqlalchemy import select

from app.models import Employee, OrgUnit, ReferenceEntry, User

# 10 January 2030, 09:00 WIB. With the test world, on that day:
#   KGB (window 1 Feb – 1 Mar 2030): "dinkes" and "puskesmas" (golongan TMT 1 March of even years) → 1 Mar 2030
#   retirement (window to Jan 2031): "kecamatan", born 5 Jan 1972, pelaksana (BUP 58) → 1 Feb 2030
TODAY = date(2030, 1, 10)
NOW = datetime(2030, 1, 10, 2, 0, tzinfo=timezone.utc)
_serials = itertools.count(1)


def add_employee(session, unit_id: str, *, birth: date, tmt_golongan: date | None, kind: str = "PNS",
                 eselon: str | None = None, jf: str | None = None, kedudukan: str = "01",
                 name: str | None = None) -> Employee:
    """An employee with the derived columns set directly (their history is not what these tests are about)."""
    serial = next(_serials)
    opd = unit_id if unit_id.startswith("OPD-") else _opd_of(session, unit_id)
    employee = Employee(
        nip=f"{birth:%Y%m%d}{(tmt_golongan or birth):%Y%m}9{serial:03d}", nik=f"9{serial:015d}",
        nama=name or f"Pegawai Tempo {serial}", nama_cari=(name or f"pegawai tempo {serial}").lower(),
        tempat_lahir="Tangerang", tanggal_lahir=birth, jenis_kelamin="M", agama_id="1", jenis_kawin_id="1",
        kind=kind, jenis_pegawai_id="15", kedudukan_hukum_id=kedudukan,
        tmt_cpns=tmt_golongan if kind != "PPPK" else None, tmt_pppk=tmt_golongan if kind == "PPPK" else None,
        golongan_id="PPPK-IX" if kind == "PPPK" else "31", tmt_golongan=tmt_golongan,
        jabatan_nama="Jabatan uji", jenis_jabatan_id="2" if jf else "1" if eselon else "4", eselon_id=eselon,
        jabatan_fungsional_id=jf, unor_id=unit_id, opd_id=opd)
    session.add(employee)
    session.flush()
    return employee


def _opd_of(session, unit_id: str) -> str:
    return session.get(OrgUnit, unit_id).opd_id


def jf_code(session, name: str) -> str:
    """The SIASN code of a jabatan fungsional, by its exact name."""
    code = session.scalar(select(ReferenceEntry.code).where(ReferenceEntry.table_key == "jabatanFungsional",
                                                            ReferenceEntry.name == name))
    assert code, f"jabatan fungsional {name!r} missing from the reference data"
    return code


def account_for(session, employee: Employee, username: str) -> User:
    user = User(username=username, display_name=username, password_hash="-", employee_id=employee.id)
    session.add(user)
    session.flush()
    return user
