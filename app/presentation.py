"""How personnel records are shown: column labels and which reference table names each code."""
from __future__ import annotations

TABLE_TITLES = {
    "riwayat_pasangan": "Perkawinan / perceraian dan suami/istri",
    "riwayat_anak": "Anak",
    "riwayat_jabatan": "Riwayat jabatan (pengangkatan, pemindahan, pemberhentian)",
    "riwayat_pendidikan": "Riwayat pendidikan",
    "riwayat_diklat": "Riwayat diklat dan kursus",
    "riwayat_golongan": "Riwayat kepangkatan",
    "riwayat_penghargaan": "Riwayat penghargaan",
    "riwayat_hukdis": "Riwayat hukuman disiplin",
    "riwayat_pindah_instansi": "Riwayat pindah instansi",
    "riwayat_pindah_unit": "Riwayat pindah unit kerja",
}

TABLE_COLUMNS = {
    "riwayat_pasangan": ["nama", "status_perkawinan", "tanggal_menikah", "akta_nikah", "tanggal_cerai",
                         "akta_cerai", "status_pekerjaan"],
    "riwayat_anak": ["nama", "jenis_kelamin", "tanggal_lahir", "jenis_anak_id", "akta_kelahiran"],
    "riwayat_jabatan": ["jenis_riwayat", "jabatan_nama", "jenis_jabatan_id", "eselon_id", "unor_id",
                        "tmt_jabatan", "sk_nomor", "sk_tanggal"],
    "riwayat_pendidikan": ["tingkat_pendidikan_id", "pendidikan_nama", "nama_sekolah", "tahun_lulus",
                           "nomor_ijazah"],
    "riwayat_diklat": ["kategori", "jenis_diklat_id", "nama", "institusi_penyelenggara", "tanggal_mulai",
                       "tanggal_selesai", "jumlah_jam", "nomor_sertifikat"],
    "riwayat_golongan": ["golongan_id", "jenis_kp_id", "tmt_golongan", "masa_kerja_tahun", "masa_kerja_bulan",
                         "sk_nomor", "sk_tanggal"],
    "riwayat_penghargaan": ["penghargaan_id", "tahun", "sk_nomor", "sk_tanggal"],
    "riwayat_hukdis": ["jenis_hukuman_id", "tingkat", "tmt_hukuman", "akhir_hukuman", "sk_nomor", "sk_tanggal"],
    "riwayat_pindah_instansi": ["arah", "instansi_asal_id", "instansi_tujuan_id", "tmt_pindah", "sk_nomor"],
    "riwayat_pindah_unit": ["unor_asal_id", "unor_baru_id", "tmt_pindah", "sk_nomor", "sk_tanggal"],
}

COLUMN_LABELS = {
    "nama": "Nama", "status_perkawinan": "Status", "tanggal_menikah": "Tgl. menikah", "akta_nikah": "Akta nikah",
    "tanggal_cerai": "Tgl. cerai", "akta_cerai": "Akta cerai", "status_pekerjaan": "Pekerjaan",
    "jenis_kelamin": "Jenis kelamin", "tanggal_lahir": "Tgl. lahir", "jenis_anak_id": "Status anak",
    "akta_kelahiran": "Akta kelahiran", "jenis_riwayat": "Jenis", "jabatan_nama": "Jabatan",
    "jenis_jabatan_id": "Jenis jabatan", "eselon_id": "Eselon", "unor_id": "Unit kerja", "tmt_jabatan": "TMT jabatan",
    "sk_nomor": "Nomor SK", "sk_tanggal": "Tgl. SK", "tingkat_pendidikan_id": "Tingkat",
    "pendidikan_nama": "Program studi", "nama_sekolah": "Sekolah / perguruan tinggi", "tahun_lulus": "Tahun lulus",
    "nomor_ijazah": "Nomor ijazah", "kategori": "Kategori", "jenis_diklat_id": "Jenis diklat",
    "institusi_penyelenggara": "Penyelenggara", "tanggal_mulai": "Mulai", "tanggal_selesai": "Selesai",
    "jumlah_jam": "Jam", "nomor_sertifikat": "Nomor sertifikat", "golongan_id": "Golongan",
    "jenis_kp_id": "Jenis KP", "tmt_golongan": "TMT golongan", "masa_kerja_tahun": "MK tahun",
    "masa_kerja_bulan": "MK bulan", "penghargaan_id": "Penghargaan", "tahun": "Tahun",
    "jenis_hukuman_id": "Jenis hukuman", "tingkat": "Tingkat", "tmt_hukuman": "TMT hukuman",
    "akhir_hukuman": "Akhir hukuman", "arah": "Arah", "instansi_asal_id": "Instansi asal",
    "instansi_tujuan_id": "Instansi tujuan", "tmt_pindah": "TMT pindah", "unor_asal_id": "Unit asal",
    "unor_baru_id": "Unit baru",
}


def _golongan_table(record) -> str:
    return "golonganPppk" if str(record.golongan_id).startswith("PPPK") else "golonganPns"


REFERENCE_COLUMNS = {
    "status_perkawinan": "kawin", "jenis_anak_id": "jenisAnak", "jenis_kelamin": "jenisKelamin",
    "jenis_jabatan_id": "jenisJabatan", "eselon_id": "eselon", "tingkat_pendidikan_id": "tingkatPendidikan",
    "jenis_diklat_id": "jenisDiklat", "golongan_id": _golongan_table, "jenis_kp_id": "kenaikanPangkat",
    "penghargaan_id": "penghargaan", "jenis_hukuman_id": "jenisHukuman", "instansi_asal_id": "instansi",
    "instansi_tujuan_id": "instansi", "jenis_riwayat": "jenisRiwayatJabatan",
}
