"""Sample proposals, one per kind, and the journey steps (a world user acting on an instance's task),
shared by the change-request and journey tests."""
from __future__ import annotations

from app.models import Employee, HumanTask, ProcessInstance, User
from app.services import inbox, processes
from app.services.audit import Actor

INSTANSI = "A5EB03E23BE8F6A0E040640A040252AD"  # a SIASN instansi id
SK = {"sk_nomor": "800/Kep.12-BKPSDM/2030", "sk_tanggal": "2030-03-01"}


def additions(world) -> dict[str, dict]:
    return {
        "riwayat_pasangan": {"nama": "Rudi Hartono", "jenis_kelamin": "M", "status_perkawinan": "1",
                             "tanggal_menikah": "2010-05-01", "akta_nikah": "123/05/2010"},
        "riwayat_anak": {"nama": "Nadia", "jenis_kelamin": "F", "tanggal_lahir": "2012-01-02",
                         "jenis_anak_id": "1", "status_tunjangan": True},
        "riwayat_jabatan": {"jenis_riwayat": "pengangkatan", "jenis_jabatan_id": "1",
                            "jabatan_nama": "Kepala Seksi Surveilans", "eselon_id": "41",
                            "unor_id": world["units"]["dinkes"], "tmt_jabatan": "2032-01-02", **SK},
        "riwayat_pendidikan": {"tingkat_pendidikan_id": "45", "pendidikan_nama": "S-2 Kesehatan Masyarakat",
                               "nama_sekolah": "Universitas Indonesia", "tahun_lulus": 2040, "nomor_ijazah": "UI-1"},
        "riwayat_diklat": {"kategori": "diklat", "jenis_diklat_id": "1", "nama": "PKA",
                           "institusi_penyelenggara": "LAN", "nomor_sertifikat": "S-1",
                           "tanggal_mulai": "2020-01-06", "tanggal_selesai": "2020-03-06", "tahun": 2020,
                           "jumlah_jam": 100},
        "riwayat_golongan": {"golongan_id": "32", "jenis_kp_id": "101", "tmt_golongan": "2030-04-01",
                             "masa_kerja_tahun": 4, **SK},
        "riwayat_penghargaan": {"penghargaan_id": "100", "tahun": 2020, **SK},
        "riwayat_hukdis": {"jenis_hukuman_id": "1", "tingkat": "R", "tmt_hukuman": "2021-01-04", **SK},
        "riwayat_pindah_instansi": {"arah": "masuk", "instansi_asal_id": INSTANSI, "instansi_tujuan_id": INSTANSI,
                                    "tmt_pindah": "2015-01-02", **SK},
        "riwayat_pindah_unit": {"unor_asal_id": world["units"]["dinkes"], "unor_baru_id": world["puskesmas"],
                                "tmt_pindah": "2033-01-02", **SK},
        "data_utama": {"nomor_hp": "081298765432", "alamat": "Jl. Daan Mogot No. 5, Tangerang"},
    }


def user(session, world, username: str) -> User:
    return session.get(User, world["users"][username])


def actor(u: User) -> Actor:
    return Actor(u.id, u.display_name)


def subject(session, world) -> Employee:
    return session.get(Employee, world["employees"]["dinkes"])


def tasks_of(session, world, username: str, instance: ProcessInstance) -> list[HumanTask]:
    return [t for t in inbox.tasks_for(session, user(session, world, username)) if t.instance_id == instance.id]


def act(session, world, username: str, instance: ProcessInstance, data: dict) -> ProcessInstance:
    (task,) = tasks_of(session, world, username, instance)
    u = user(session, world, username)
    return processes.complete_task(session, u, actor(u), task.id, data)
