"""The demo form and a fake reference-table provider, shared by the form tests."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

FORMS = Path(__file__).resolve().parents[3] / "forms"

TABLES = {
    "golonganPns": [("31", "III/a"), ("32", "III/b"), ("41", "IV/a")],
    "kenaikanPangkat": [("101", "Reguler"), ("102", "Pilihan")],
    "jenisAnak": [("1", "Anak kandung"), ("2", "Anak tiri"), ("3", "Anak angkat")],
    "dokumen": [("872", "Dok SK Jabatan"), ("887", "Dok SK PNS"), ("889", "Dok SK CPNS")],
}


class Provider:
    """choices_provider that remembers which tables were asked for."""

    def __init__(self, tables=None):
        self.tables = tables or TABLES
        self.calls: list[str] = []

    def __call__(self, table_key: str) -> list[tuple[str, str]]:
        self.calls.append(table_key)
        return list(self.tables[table_key])


@pytest.fixture()
def provider():
    return Provider()


@pytest.fixture(scope="session")
def demo():
    schema = json.loads((FORMS / "demo_contoh.schema.json").read_text(encoding="utf-8"))
    ui = json.loads((FORMS / "demo_contoh.uischema.json").read_text(encoding="utf-8"))
    return schema, ui


@pytest.fixture()
def demo_data():
    """A complete, valid submission of the demo form."""
    return {
        "kategori": "golongan",
        "jenis_usulan": "tambah",
        "golongan_id": "32",
        "jenis_kp_id": "101",
        "tmt_golongan": "2024-04-01",
        "masa_kerja_tahun": 12,
        "masa_kerja_bulan": 3,
        "angka_kredit": 12.5,
        "sk_nomor": "823.3/Kep.123-BKPSDM/2024",
        "sk_tanggal": "2024-03-15",
        "pejabat_penetap": {"nama": "Drs. Wali Kota", "nip": "197001011990031001"},
        "anak": [
            {"nama": "Siti", "tanggal_lahir": "2010-05-06", "jenis_anak_id": "1", "status_tunjangan": True,
             "akta_kelahiran": {"document_id": 7, "kind": "887"}},
            {"nama": "Budi", "tanggal_lahir": "2014-11-30", "jenis_anak_id": "3", "status_tunjangan": False},
        ],
        "keterangan": "Baris pertama\nbaris kedua",
        "pernyataan": True,
        "dokumen_sk": {"document_id": 5, "kind": "887"},
        "lampiran_lain": 6,
    }
