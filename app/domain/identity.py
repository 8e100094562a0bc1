"""NIP and NIK: structure, validation with a Bahasa Indonesia message per fault, cross-checks."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

PROVINCE_CODES = frozenset({
    11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53,
    61, 62, 63, 64, 65, 71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96, 97,
})
SEX_DIGIT = {"1": "M", "2": "F"}
MIN_AGE_AT_APPOINTMENT = 18


@dataclass(frozen=True)
class NipInfo:
    nip: str
    kind: str  # "PNS" (also CPNS) or "PPPK"
    birth_date: date
    tmt_year: int
    tmt_month: int | None  # None for PPPK
    appointment_digit: int | None  # PPPK only
    sex: str  # "M" | "F"
    serial: str


@dataclass(frozen=True)
class NikInfo:
    nik: str
    province: int
    birth_date: date
    sex: str


class IdentityError(ValueError):
    """Carries every fault found, each a sentence in Bahasa Indonesia."""

    def __init__(self, faults: list[str]):
        super().__init__("; ".join(faults))
        self.faults = faults


def _digits_fault(value: str, length: int, label: str) -> str | None:
    if not value:
        return f"{label} wajib diisi."
    if not value.isdigit():
        return f"{label} hanya boleh berisi angka."
    if len(value) != length:
        return f"{label} harus {length} digit, bukan {len(value)} digit."
    return None


def _date_or_none(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_nip(raw: str, today: date | None = None) -> NipInfo:
    """Validate an 18-digit NIP (PNS or PPPK format); raise IdentityError listing every fault."""
    nip = (raw or "").strip().replace(" ", "")
    fault = _digits_fault(nip, 18, "NIP")
    if fault:
        raise IdentityError([fault])
    today = today or date.today()
    faults: list[str] = []
    birth = _date_or_none(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    if birth is None:
        faults.append(f"Digit 1–8 NIP ({nip[0:8]}) bukan tanggal lahir yang sah (format TTTTBBHH).")
    tmt_year, marker = int(nip[8:12]), int(nip[12:14])
    kind, tmt_month, appointment = _nip_kind(marker, nip, faults)
    if birth and tmt_year < birth.year + MIN_AGE_AT_APPOINTMENT:
        faults.append(f"Tahun TMT pada NIP ({tmt_year}) terlalu dekat dengan tahun lahir ({birth.year}): "
                      f"usia saat pengangkatan minimal {MIN_AGE_AT_APPOINTMENT} tahun.")
    if tmt_year > today.year + 1:
        faults.append(f"Tahun TMT pada NIP ({tmt_year}) berada di masa depan.")
    if birth and birth > today:
        faults.append("Tanggal lahir pada NIP berada di masa depan.")
    sex = SEX_DIGIT.get(nip[14])
    if sex is None:
        faults.append(f"Digit ke-15 NIP ({nip[14]}) adalah kode jenis kelamin: 1 untuk laki-laki, 2 untuk perempuan.")
    if nip[15:18] == "000":
        faults.append("Nomor urut NIP (digit 16–18) tidak boleh 000.")
    if faults:
        raise IdentityError(faults)
    return NipInfo(nip, kind, birth, tmt_year, tmt_month, appointment, sex, nip[15:18])


def _nip_kind(marker: int, nip: str, faults: list[str]) -> tuple[str, int | None, int | None]:
    if 1 <= marker <= 12:
        return "PNS", marker, None
    if 21 <= marker <= 29:
        return "PPPK", None, marker - 20
    faults.append(f"Digit 13–14 NIP ({nip[12:14]}) harus bulan TMT CPNS 01–12 (PNS) "
                  f"atau 21–29 (PPPK: angka 2 diikuti digit pengangkatan 1–9).")
    return "PNS", None, None


def parse_nik(raw: str) -> NikInfo:
    """Validate a 16-digit NIK; raise IdentityError listing every fault."""
    nik = (raw or "").strip().replace(" ", "")
    fault = _digits_fault(nik, 16, "NIK")
    if fault:
        raise IdentityError([fault])
    faults: list[str] = []
    province = int(nik[0:2])
    if province not in PROVINCE_CODES:
        faults.append(f"Kode provinsi pada NIK ({nik[0:2]}) tidak dikenal.")
    if nik[2:4] == "00":
        faults.append("Kode kabupaten/kota pada NIK (digit 3–4) tidak boleh 00.")
    if nik[4:6] == "00":
        faults.append("Kode kecamatan pada NIK (digit 5–6) tidak boleh 00.")
    day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = "F" if day > 40 else "M"
    birth = _nik_birth_date(day - 40 if day > 40 else day, month, yy)
    if birth is None:
        faults.append(f"Digit 7–12 NIK ({nik[6:12]}) bukan tanggal lahir yang sah "
                      "(HHBBTT; untuk perempuan tanggal ditambah 40).")
    if nik[12:16] == "0000":
        faults.append("Nomor urut NIK (digit 13–16) tidak boleh 0000.")
    if faults:
        raise IdentityError(faults)
    return NikInfo(nik, province, birth, sex)


def _nik_birth_date(day: int, month: int, yy: int) -> date | None:
    this_year = date.today().year % 100
    century = 2000 if yy <= this_year else 1900
    return _date_or_none(century + yy, month, day)


def cross_check_nip(info: NipInfo, *, birth_date: date, sex: str, kind: str,
                    tmt_cpns: date | None = None) -> list[str]:
    """Faults where the NIP disagrees with the recorded data utama."""
    faults = []
    if info.birth_date != birth_date:
        faults.append(f"Tanggal lahir pada NIP ({info.birth_date:%d-%m-%Y}) berbeda dengan tanggal lahir "
                      f"yang tercatat ({birth_date:%d-%m-%Y}).")
    if info.sex != sex:
        faults.append("Kode jenis kelamin pada NIP tidak sesuai dengan jenis kelamin yang tercatat.")
    if (info.kind == "PPPK") != (kind == "PPPK"):
        faults.append(f"Format NIP adalah format {info.kind}, tetapi jenis pegawai tercatat {kind}.")
    elif info.kind == "PNS" and tmt_cpns and (tmt_cpns.year, tmt_cpns.month) != (info.tmt_year, info.tmt_month):
        faults.append(f"TMT CPNS pada NIP ({info.tmt_month:02d}-{info.tmt_year}) berbeda dengan TMT CPNS "
                      f"yang tercatat ({tmt_cpns:%m-%Y}).")
    return faults


def cross_check_nik(info: NikInfo, *, birth_date: date, sex: str) -> list[str]:
    faults = []
    if (info.birth_date.month, info.birth_date.day, info.birth_date.year % 100) != (
            birth_date.month, birth_date.day, birth_date.year % 100):
        faults.append("Tanggal lahir pada NIK berbeda dengan tanggal lahir yang tercatat.")
    if info.sex != sex:
        faults.append("Kode jenis kelamin pada NIK (tanggal +40 untuk perempuan) tidak sesuai dengan yang tercatat.")
    return faults


def make_nip(birth: date, sex: str, serial: int, *, tmt: date | None = None,
             pppk_year: int | None = None, appointment_digit: int = 1) -> str:
    """Compose a NIP; used by the demo generator and by tests."""
    sex_digit = "1" if sex == "M" else "2"
    middle = f"{pppk_year:04d}2{appointment_digit}" if pppk_year else f"{tmt:%Y%m}"
    return f"{birth:%Y%m%d}{middle}{sex_digit}{serial:03d}"


def make_nik(province: int, regency: int, district: int, birth: date, sex: str, serial: int) -> str:
    day = birth.day + (40 if sex == "F" else 0)
    return f"{province:02d}{regency:02d}{district:02d}{day:02d}{birth:%m}{birth:%y}{serial:04d}"
