"""Derive an employee's "current" fields (golongan, position, unit, education) from the histories."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import (DERIVED_COLUMNS, Employee, OrgUnit, RiwayatGolongan, RiwayatJabatan,
                      RiwayatPendidikan, RiwayatPindahUnit)


def _live(session: Session, model, employee_id: int) -> list:
    stmt = select(model).where(model.employee_id == employee_id, model.deleted_at.is_(None))
    return list(session.scalars(stmt))


def derive_current(golongan: list, jabatan: list, pendidikan: list, pindah_unit: list,
                   opd_of: dict[str, str]) -> dict:
    """Pure: the derived columns from live history rows (also used by the demo generator)."""
    values = dict.fromkeys(DERIVED_COLUMNS)
    if golongan:
        latest = max(golongan, key=lambda r: (r.tmt_golongan, r.id or 0))
        values.update(golongan_id=latest.golongan_id, tmt_golongan=latest.tmt_golongan)
    positions = sorted(jabatan, key=lambda r: (r.tmt_jabatan, r.id or 0))
    if positions and positions[-1].jenis_riwayat != "pemberhentian":
        last = positions[-1]
        values.update(jabatan_nama=last.jabatan_nama, jenis_jabatan_id=last.jenis_jabatan_id,
                      eselon_id=last.eselon_id, jabatan_fungsional_id=last.jabatan_fungsional_id,
                      tmt_jabatan=last.tmt_jabatan)
    values["unor_id"] = _current_unit(positions, pindah_unit)
    values["opd_id"] = opd_of.get(values["unor_id"]) if values["unor_id"] else None
    if pendidikan:
        last_edu = max(pendidikan, key=lambda r: (r.tahun_lulus, r.tingkat_pendidikan_id, r.id or 0))
        values.update(tingkat_pendidikan_id=last_edu.tingkat_pendidikan_id,
                      pendidikan_nama=last_edu.pendidikan_nama, tahun_lulus=last_edu.tahun_lulus)
    return values


def _current_unit(positions: list, transfers: list) -> str | None:
    """The unit of the latest event (position record or unit transfer) by TMT."""
    events = [(p.tmt_jabatan, 0, p.unor_id) for p in positions if p.jenis_riwayat != "pemberhentian"]
    events += [(t.tmt_pindah, 1, t.unor_baru_id) for t in transfers]
    return max(events)[2] if events else None


def recompute_current(session: Session, employee: Employee) -> dict:
    """Write the derived columns of `employee`; return {column: (old, new)} for what changed."""
    opd_of = dict(session.execute(select(OrgUnit.id, OrgUnit.opd_id)).all())
    values = derive_current(
        _live(session, RiwayatGolongan, employee.id), _live(session, RiwayatJabatan, employee.id),
        _live(session, RiwayatPendidikan, employee.id), _live(session, RiwayatPindahUnit, employee.id),
        opd_of)
    changed = {}
    for column, new in values.items():
        old = getattr(employee, column)
        if old != new:
            changed[column] = (old, new)
            setattr(employee, column, new)
    return changed
