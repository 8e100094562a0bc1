"""Employee list (search, filters, pages) and registering a new employee through the form."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from app.domain.identity import make_nik, make_nip
from app.models import ChangeLog, Employee, RiwayatGolongan, RiwayatJabatan
from tests.conftest import csrf_token
from tests.world import employee


def test_search_by_name_prefix(login_as, dbs, world):
    """Does a name prefix, in any letter case, find the employee?"""
    body = login_as("bkpsdm").get("/pegawai/?q=siti nur").get_data(as_text=True)
    assert employee(dbs, world, "dinkes").nip in body
    assert employee(dbs, world, "dindik").nip not in body


def test_search_by_nip_prefix_and_exact(login_as, dbs, world):
    """Does a NIP, whole or its first digits, find the employee?"""
    client = login_as("bkpsdm")
    nip = employee(dbs, world, "kecamatan").nip
    assert nip in client.get(f"/pegawai/?q={nip}").get_data(as_text=True)
    assert nip in client.get(f"/pegawai/?q={nip[:8]}").get_data(as_text=True)


def test_filters_by_opd_golongan_and_kind(login_as, dbs, world):
    """Do the OPD, golongan and employee-kind filters narrow the list?"""
    client = login_as("bkpsdm")
    dindik_nip = employee(dbs, world, "dindik").nip
    assert dindik_nip in client.get("/pegawai/?opd=OPD-DINDIK").get_data(as_text=True)
    assert dindik_nip not in client.get("/pegawai/?opd=OPD-DINKES").get_data(as_text=True)
    assert dindik_nip in client.get("/pegawai/?jenis=PPPK").get_data(as_text=True)
    assert dindik_nip not in client.get("/pegawai/?jenis=PNS").get_data(as_text=True)
    assert dindik_nip in client.get("/pegawai/?golongan=PPPK-IX").get_data(as_text=True)
    assert dindik_nip not in client.get("/pegawai/?golongan=31").get_data(as_text=True)


def test_pagination(login_as):
    """Does a page size of one give one row per page and a link to the next page?"""
    body = login_as("bkpsdm").get("/pegawai/?per_halaman=1&halaman=2").get_data(as_text=True)
    assert body.count('class="mono"') == 1 + body.count('<p class="muted mono">')
    assert "Halaman 2 dari" in body and "Berikutnya" in body


def test_malformed_page_number(login_as):
    """Is a page number that is not a number answered with 400 and an Indonesian message?"""
    client = login_as("bkpsdm")
    for bad in ("dua", "-1", "0", "1e9"):
        response = client.get(f"/pegawai/?halaman={bad}")
        assert response.status_code == 400, bad
        assert "harus bilangan bulat" in response.get_data(as_text=True)


def test_unknown_kind_filter(login_as):
    """Is an unknown employee kind refused clearly rather than silently ignored?"""
    response = login_as("bkpsdm").get("/pegawai/?jenis=HONORER")
    assert response.status_code == 422 and "Jenis pegawai tidak dikenal" in response.get_data(as_text=True)


def _form(**changes) -> dict:
    birth = date(1988, 6, 15)
    form = {"nip": make_nip(birth, "M", 901, tmt=date(2014, 2, 1)), "nik": make_nik(36, 71, 5, birth, "M", 901),
            "nama": "Rahmat Hidayat", "tempat_lahir": "Tangerang", "tanggal_lahir": birth.isoformat(),
            "jenis_kelamin": "M", "agama_id": "1", "jenis_kawin_id": "4", "kind": "PNS", "tmt_cpns": "2014-02-01",
            "unor_id": "DINKES-SEKRETARIAT", "jabatan_nama": "Analis Kepegawaian", "jenis_jabatan_id": "2",
            "tmt_jabatan": "2015-03-01", "golongan_id": "32", "tmt_golongan": "2018-04-01",
            "reason": "SK CPNS 800/123/BKPSDM/2014"}
    form.update(changes)
    return form


def _post(client, form):
    form = dict(form, csrf_token=csrf_token(client, "/pegawai/baru"))
    return client.post("/pegawai/baru", data=form)


def _count(dbs):
    return dbs.scalar(select(func.count()).select_from(Employee))


def test_register_employee(login_as, dbs):
    """Does a valid form create the employee, the first position and rank, derived fields and a change log?"""
    response = _post(login_as("bkpsdm"), _form())
    assert response.status_code == 302
    created = dbs.scalar(select(Employee).where(Employee.nama == "Rahmat Hidayat"))
    assert (created.golongan_id, created.jabatan_nama, created.opd_id) == ("32", "Analis Kepegawaian", "OPD-DINKES")
    assert dbs.scalar(select(func.count()).select_from(RiwayatJabatan).where(RiwayatJabatan.employee_id == created.id)) == 1
    assert dbs.scalar(select(func.count()).select_from(RiwayatGolongan).where(RiwayatGolongan.employee_id == created.id)) == 1
    operations = dbs.scalars(select(ChangeLog.operation).where(ChangeLog.employee_id == created.id)).all()
    assert sorted(operations) == ["create", "create", "create", "derive", "derive"]


def test_register_with_invalid_nip_changes_nothing(login_as, dbs):
    """Is a malformed NIP shown next to the field in Indonesian (422), with nothing written?"""
    before = _count(dbs)
    response = _post(login_as("bkpsdm"), _form(nip="19880615201402113"))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="nip-error"' in body and "NIP harus 18 digit" in body
    assert _count(dbs) == before


def test_register_with_nip_contradicting_birth_date(login_as, dbs):
    """Is a NIP whose birth date differs from the recorded one refused?"""
    response = _post(login_as("bkpsdm"), _form(tanggal_lahir="1988-06-16"))
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "berbeda dengan tanggal lahir" in body


def test_register_with_invalid_nik(login_as, dbs):
    """Is an NIK with an impossible date refused with its own message?"""
    response = _post(login_as("bkpsdm"), _form(nik="3671059913880901"))
    assert response.status_code == 422 and "bukan tanggal lahir yang sah" in response.get_data(as_text=True)


def test_register_duplicate_nip(login_as, dbs, world):
    """Is a NIP that already exists refused?"""
    existing = employee(dbs, world, "dinkes")
    response = _post(login_as("bkpsdm"), _form(nip=existing.nip))
    assert response.status_code == 422 and "NIP sudah terdaftar" in response.get_data(as_text=True)


def test_register_refused_for_validator(login_as, dbs):
    """May a validator register employees by posting the form directly?"""
    client = login_as("validator.dinkes")
    token = csrf_token(client, "/pegawai/")
    before = _count(dbs)
    response = client.post("/pegawai/baru", data=dict(_form(), csrf_token=token))
    assert response.status_code == 403 and _count(dbs) == before


def test_history_tabs_render(login_as, world):
    """Do the data utama and all nine history tabs render for an employee?"""
    client = login_as("bkpsdm")
    url = f"/pegawai/{world['employees']['dinkes']}"
    for tab in ("utama", "keluarga", "jabatan", "pendidikan", "diklat", "golongan", "penghargaan", "hukdis",
                "pindah_instansi", "pindah_unit"):
        response = client.get(f"{url}?tab={tab}")
        assert response.status_code == 200, tab
    assert "Pengadministrasi Umum" in client.get(f"{url}?tab=jabatan").get_data(as_text=True)
