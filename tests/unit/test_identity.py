"""NIP and NIK: what a valid number tells us, the Bahasa Indonesia message for every fault, and the
cross-checks against the recorded data utama."""
from __future__ import annotations

from datetime import date

import pytest

from app.domain.identity import (IdentityError, cross_check_nik, cross_check_nip, make_nik, make_nip, parse_nik,
                                 parse_nip)

TODAY = date(2025, 6, 1)
BIRTH = date(1985, 3, 12)
TMT = date(2010, 4, 1)


def pns_nip(birth: date = BIRTH, sex: str = "F", serial: int = 1, tmt: date = TMT) -> str:
    return make_nip(birth, sex, serial, tmt=tmt)


def pppk_nip(birth: date = date(1990, 11, 23), sex: str = "M", serial: int = 7, year: int = 2021,
             appointment: int = 3) -> str:
    return make_nip(birth, sex, serial, pppk_year=year, appointment_digit=appointment)


def nip_with(**digits: str) -> str:
    """A valid PNS NIP (198503122010042001) with some positions replaced, e.g. marker="13"."""
    parts = {"birth": "19850312", "tmt_year": "2010", "marker": "04", "sex": "2", "serial": "001"}
    parts.update(digits)
    return "".join(parts[key] for key in ("birth", "tmt_year", "marker", "sex", "serial"))


def nik_with(**digits: str) -> str:
    """A valid NIK (3671021203850001: Kota Tangerang, a man born 12-03-1985) with some parts replaced."""
    parts = {"province": "36", "regency": "71", "district": "02", "day": "12", "month": "03", "yy": "85",
             "serial": "0001"}
    parts.update(digits)
    return "".join(parts[key] for key in ("province", "regency", "district", "day", "month", "yy", "serial"))


def nip_faults(raw: str) -> list[str]:
    with pytest.raises(IdentityError) as caught:
        parse_nip(raw, today=TODAY)
    return caught.value.faults


def nik_faults(raw: str) -> list[str]:
    with pytest.raises(IdentityError) as caught:
        parse_nik(raw)
    return caught.value.faults


# --- NIP: valid numbers ------------------------------------------------------------------------

def test_pns_nip_fields():
    """Does a PNS NIP yield birth date, TMT CPNS year and month, sex and serial?"""
    info = parse_nip("198503122010042001", today=TODAY)
    assert (info.kind, info.birth_date, info.tmt_year, info.tmt_month) == ("PNS", BIRTH, 2010, 4)
    assert (info.sex, info.serial, info.appointment_digit) == ("F", "001", None)


def test_pppk_nip_fields():
    """Does a PPPK NIP (2 then the appointment digit in place of the month) parse as PPPK?"""
    info = parse_nip("199011232021231007", today=TODAY)
    assert (info.kind, info.birth_date, info.tmt_year) == ("PPPK", date(1990, 11, 23), 2021)
    assert (info.tmt_month, info.appointment_digit, info.sex, info.serial) == (None, 3, "M", "007")


def test_make_nip_round_trips():
    """Does a NIP composed by make_nip parse back to what it was made from?"""
    assert parse_nip(pns_nip(), today=TODAY).nip == "198503122010042001"
    assert parse_nip(pppk_nip(), today=TODAY).nip == "199011232021231007"


def test_spaces_are_ignored():
    """Is a NIP typed in groups (as printed on an SK) accepted?"""
    assert parse_nip(" 19850312 201004 2 001 ", today=TODAY).nip == "198503122010042001"


# --- NIP: one fault each ------------------------------------------------------------------------

def test_nip_empty():
    """Is an empty NIP refused as required?"""
    assert nip_faults("") == ["NIP wajib diisi."]


def test_nip_too_short():
    """Is a NIP of the wrong length refused, naming both lengths?"""
    assert nip_faults("19850312201004200") == ["NIP harus 18 digit, bukan 17 digit."]


def test_nip_too_long():
    """Is a 19-digit NIP refused?"""
    assert nip_faults("1985031220100420011") == ["NIP harus 18 digit, bukan 19 digit."]


def test_nip_non_digits():
    """Is a NIP with a letter refused as containing non-digits?"""
    assert nip_faults("19850312201004200O") == ["NIP hanya boleh berisi angka."]


def test_nip_bad_birth_date():
    """Is 30 February in digits 1–8 refused as a birth date?"""
    assert nip_faults(nip_with(birth="19850230")) == [
        "Digit 1–8 NIP (19850230) bukan tanggal lahir yang sah (format TTTTBBHH)."]


@pytest.mark.parametrize("marker", ["13", "00", "30", "20"])
def test_nip_bad_tmt_month(marker):
    """Is a TMT CPNS month outside 01–12 (and not a PPPK marker 21–29) refused?"""
    assert nip_faults(nip_with(marker=marker)) == [
        f"Digit 13–14 NIP ({marker}) harus bulan TMT CPNS 01–12 (PNS) "
        "atau 21–29 (PPPK: angka 2 diikuti digit pengangkatan 1–9)."]


def test_nip_sex_digit():
    """Is a sex digit other than 1 or 2 refused?"""
    assert nip_faults(nip_with(sex="3")) == [
        "Digit ke-15 NIP (3) adalah kode jenis kelamin: 1 untuk laki-laki, 2 untuk perempuan."]


def test_nip_serial_zero():
    """Is serial 000 refused?"""
    assert nip_faults(nip_with(serial="000")) == ["Nomor urut NIP (digit 16–18) tidak boleh 000."]


def test_nip_tmt_before_age_18():
    """Is an appointment year before the 18th birthday year refused?"""
    assert nip_faults(nip_with(tmt_year="2002")) == [
        "Tahun TMT pada NIP (2002) terlalu dekat dengan tahun lahir (1985): "
        "usia saat pengangkatan minimal 18 tahun."]


def test_nip_tmt_at_18_is_accepted():
    """Is an appointment in the year of the 18th birthday accepted?"""
    assert parse_nip(nip_with(tmt_year="2003"), today=TODAY).tmt_year == 2003


def test_nip_future_tmt():
    """Is a TMT year more than a year ahead refused, while next year (a pending appointment) passes?"""
    assert nip_faults(nip_with(tmt_year="2027")) == ["Tahun TMT pada NIP (2027) berada di masa depan."]
    assert parse_nip(nip_with(tmt_year="2026"), today=TODAY).tmt_year == 2026


def test_nip_future_birth_date():
    """Is a birth date after today refused?"""
    assert "Tanggal lahir pada NIP berada di masa depan." in nip_faults(nip_with(birth="20250701", tmt_year="2026"))


def test_nip_several_faults_reported_together():
    """Are all faults of one NIP reported at once, not only the first?"""
    faults = nip_faults(nip_with(birth="19851332", marker="13", sex="3", serial="000"))
    assert len(faults) == 4
    assert [f.split(" ")[0] for f in faults] == ["Digit", "Digit", "Digit", "Nomor"]
    assert "(19851332)" in faults[0] and "(13)" in faults[1] and "(3)" in faults[2]


def test_error_message_joins_faults():
    """Does the exception's text carry every fault, for logs and flash messages?"""
    with pytest.raises(IdentityError) as caught:
        parse_nip(nip_with(sex="3", serial="000"), today=TODAY)
    assert str(caught.value) == "; ".join(caught.value.faults) and len(caught.value.faults) == 2


# --- NIK ----------------------------------------------------------------------------------------

def test_nik_fields_for_a_man():
    """Does a NIK yield province, birth date and sex (day as is for a man)?"""
    info = parse_nik("3671021203850001")
    assert (info.province, info.birth_date, info.sex) == (36, date(1985, 3, 12), "M")


def test_nik_women_day_plus_40():
    """Is a day of 52 decoded as the 12th and as a woman?"""
    info = parse_nik(nik_with(day="52"))
    assert (info.birth_date, info.sex) == (date(1985, 3, 12), "F")


def test_make_nik_round_trips():
    """Does make_nik compose the NIK that parse_nik reads back, for both sexes?"""
    assert make_nik(36, 71, 2, BIRTH, "M", 1) == "3671021203850001"
    woman = parse_nik(make_nik(36, 71, 2, date(2001, 7, 9), "F", 12))
    assert (woman.birth_date, woman.sex) == (date(2001, 7, 9), "F")


def test_nik_wrong_length():
    """Is a 15-digit NIK refused naming both lengths?"""
    assert nik_faults("367102120385000") == ["NIK harus 16 digit, bukan 15 digit."]


def test_nik_non_digits():
    """Is a NIK with a letter refused?"""
    assert nik_faults("36710212038500O1") == ["NIK hanya boleh berisi angka."]


def test_nik_unknown_province():
    """Is a province code that does not exist (10) refused?"""
    assert nik_faults(nik_with(province="10")) == ["Kode provinsi pada NIK (10) tidak dikenal."]


def test_nik_regency_zero():
    """Is kabupaten/kota code 00 refused?"""
    assert nik_faults(nik_with(regency="00")) == ["Kode kabupaten/kota pada NIK (digit 3–4) tidak boleh 00."]


def test_nik_district_zero():
    """Is kecamatan code 00 refused?"""
    assert nik_faults(nik_with(district="00")) == ["Kode kecamatan pada NIK (digit 5–6) tidak boleh 00."]


@pytest.mark.parametrize("day, month", [("32", "03"), ("72", "03"), ("12", "13"), ("00", "03")])
def test_nik_bad_birth_date(day, month):
    """Is a day or month that is no date (for a man or, +40, a woman) refused?"""
    assert nik_faults(nik_with(day=day, month=month)) == [
        f"Digit 7–12 NIK ({day}{month}85) bukan tanggal lahir yang sah "
        "(HHBBTT; untuk perempuan tanggal ditambah 40)."]


def test_nik_serial_zero():
    """Is serial 0000 refused?"""
    assert nik_faults(nik_with(serial="0000")) == ["Nomor urut NIK (digit 13–16) tidak boleh 0000."]


def test_nik_several_faults_reported_together():
    """Are all faults of one NIK reported at once?"""
    faults = nik_faults(nik_with(province="99", regency="00", district="00", day="32", serial="0000"))
    assert len(faults) == 5
    assert faults[0] == "Kode provinsi pada NIK (99) tidak dikenal."
    assert faults[-1] == "Nomor urut NIK (digit 13–16) tidak boleh 0000."


# --- Cross-checks against data utama ------------------------------------------------------------

def pns_info():
    return parse_nip(pns_nip(), today=TODAY)


def test_cross_check_nip_agrees():
    """Does a NIP that matches the record raise no fault?"""
    assert cross_check_nip(pns_info(), birth_date=BIRTH, sex="F", kind="PNS", tmt_cpns=TMT) == []
    assert cross_check_nip(pns_info(), birth_date=BIRTH, sex="F", kind="CPNS", tmt_cpns=date(2010, 4, 15)) == []


def test_cross_check_nip_birth_date_mismatch():
    """Is a recorded birth date that differs from the NIP's reported with both dates?"""
    assert cross_check_nip(pns_info(), birth_date=date(1985, 3, 13), sex="F", kind="PNS") == [
        "Tanggal lahir pada NIP (12-03-1985) berbeda dengan tanggal lahir yang tercatat (13-03-1985)."]


def test_cross_check_nip_sex_mismatch():
    """Is a recorded sex that differs from the NIP's sex digit reported?"""
    assert cross_check_nip(pns_info(), birth_date=BIRTH, sex="M", kind="PNS") == [
        "Kode jenis kelamin pada NIP tidak sesuai dengan jenis kelamin yang tercatat."]


def test_cross_check_pppk_nip_on_a_pns():
    """Is a PPPK-format NIP on an employee recorded as PNS reported?"""
    info = parse_nip(pppk_nip(), today=TODAY)
    assert cross_check_nip(info, birth_date=info.birth_date, sex="M", kind="PNS") == [
        "Format NIP adalah format PPPK, tetapi jenis pegawai tercatat PNS."]


def test_cross_check_pns_nip_on_a_pppk():
    """Is a PNS-format NIP on an employee recorded as PPPK reported?"""
    assert cross_check_nip(pns_info(), birth_date=BIRTH, sex="F", kind="PPPK") == [
        "Format NIP adalah format PNS, tetapi jenis pegawai tercatat PPPK."]


def test_cross_check_tmt_cpns_month_mismatch():
    """Is a recorded TMT CPNS in another month than the NIP's reported with both months?"""
    assert cross_check_nip(pns_info(), birth_date=BIRTH, sex="F", kind="PNS", tmt_cpns=date(2010, 5, 1)) == [
        "TMT CPNS pada NIP (04-2010) berbeda dengan TMT CPNS yang tercatat (05-2010)."]


def test_cross_check_nip_reports_every_mismatch():
    """Are birth date, sex and TMT mismatches all reported together?"""
    faults = cross_check_nip(pns_info(), birth_date=date(1986, 1, 1), sex="M", kind="PNS",
                             tmt_cpns=date(2011, 4, 1))
    assert len(faults) == 3


def test_cross_check_nik():
    """Does the NIK cross-check pass on a match and report birth date and sex mismatches?"""
    info = parse_nik(make_nik(36, 71, 2, BIRTH, "F", 3))
    assert cross_check_nik(info, birth_date=BIRTH, sex="F") == []
    assert cross_check_nik(info, birth_date=date(1985, 3, 11), sex="M") == [
        "Tanggal lahir pada NIK berbeda dengan tanggal lahir yang tercatat.",
        "Kode jenis kelamin pada NIK (tanggal +40 untuk perempuan) tidak sesuai dengan yang tercatat."]
