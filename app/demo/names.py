"""Word pools for demo people: names by cultural group, places, streets and schools.

Each group lists (male first names, female first names, male second names, female second names,
birthplaces, religions with weights). Religion names are matched against the "agama" table.
"""
from __future__ import annotations

from dataclasses import dataclass


def _words(text: str) -> tuple[str, ...]:
    return tuple(word.strip() for word in text.split(",") if word.strip())


@dataclass(frozen=True)
class NameGroup:
    key: str
    weight: float
    male: tuple[str, ...]
    female: tuple[str, ...]
    male_second: tuple[str, ...]
    female_second: tuple[str, ...]
    birthplaces: tuple[str, ...]
    religions: tuple[tuple[str, float], ...]
    surname_for_women: bool = False  # Batak, Chinese and eastern families pass the surname to daughters


GROUPS = (
    NameGroup(
        "sunda", 30,
        _words("Asep, Ujang, Dede, Cecep, Dadang, Yayan, Agus, Iwan, Dudi, Deden, Ade, Endang, Wawan, Jajang, "
               "Aep, Acep, Rudi, Heri, Yana, Hendra, Dadan, Ridwan, Rahmat, Ilham, Fajar, Gilang, Galih, "
               "Raka, Cahya, Wahyu, Nandang, Nana, Tatang, Dodi, Ikhsan, Rizal, Yusuf, Opan, Ruhyat, Ajat"),
        _words("Euis, Neneng, Imas, Iis, Cucu, Yati, Nining, Ai, Enung, Eneng, Rina, Lilis, Tati, Yuyun, "
               "Nunung, Dewi, Ratna, Rini, Siti, Sri, Wulan, Intan, Nurul, Risma, Sinta, Mira, Tina, "
               "Rosita, Yeni, Lina, Yanti, Nia, Ela, Popi, Teti, Elis, Iin, Cici, Resti, Gita"),
        _words("Suryana, Sumarna, Sunarya, Permana, Hidayat, Kusnadi, Saputra, Gunawan, Setiadi, Suherman, "
               "Rukmana, Sopandi, Rohendi, Nugraha, Firmansyah, Kurniawan, Mulyana, Supriatna, Ruhiyat, "
               "Solihin, Sobari, Hermawan, Ramdani, Maulana, Kusumah, Sudrajat, Mulyadi, Rusmana, "
               "Sutisna, Koswara, Somantri, Wiguna, Pratama, Hidayatullah, Gumilar, Ardiansyah"),
        _words("Suryani, Hasanah, Marlina, Rahmawati, Nurhayati, Komalasari, Herawati, Kurniasih, Fitriani, "
               "Wulandari, Handayani, Rosdiana, Yuliani, Nuraeni, Maryani, Rohaeti, Mulyani, Sumiati, "
               "Setiawati, Permatasari, Apriliani, Puspita, Oktaviani, Ramadhani, Anggraeni, Susanti, "
               "Agustina, Purnamasari, Novianti, Nurjanah, Sundari, Sukmawati"),
        _words("Tangerang, Tangerang, Tangerang, Bandung, Garut, Tasikmalaya, Sukabumi, Cianjur, Bogor, "
               "Kuningan, Ciamis, Sumedang, Serang, Lebak, Pandeglang, Cirebon, Majalengka, Subang"),
        (("Islam", 1.0),)),
    NameGroup(
        "jawa", 26,
        _words("Budi, Agus, Bambang, Joko, Eko, Dwi, Tri, Slamet, Sugeng, Hadi, Heru, Wahyu, Teguh, Bayu, "
               "Aris, Yudi, Sigit, Didik, Puji, Suryo, Sutrisno, Sumarno, Sukirno, Widodo, Prasetyo, "
               "Nugroho, Setyo, Adi, Ari, Anton, Dimas, Galang, Satria, Yoga, Arif, Bagus, Catur, Danang"),
        _words("Sri, Endang, Dwi, Tri, Rina, Ratna, Dewi, Wulan, Ayu, Retno, Sulastri, Sumarni, Ninik, Yuni, "
               "Ani, Lestari, Dian, Indah, Fitri, Putri, Rahayu, Kartika, Novi, Eka, Yuli, Tutik, Sari, Ika"),
        _words("Santoso, Prasetyo, Setiawan, Wibowo, Susanto, Nugroho, Purnomo, Hartono, Kuncoro, Utomo, "
               "Raharjo, Wijayanto, Sulistyo, Saputro, Prabowo, Suprapto, Sutanto, Sugiarto, Riyanto, "
               "Haryanto, Mulyono, Darmawan, Cahyono, Budiman, Sasongko, Wicaksono, Pamungkas, Hidayat"),
        _words("Wahyuni, Lestari, Rahayu, Handayani, Wulandari, Astuti, Utami, Susilowati, Sulistyowati, "
               "Kusumawati, Pratiwi, Setyaningsih, Rahmawati, Kurniawati, Puspitasari, Purwanti, "
               "Widyastuti, Indrawati, Hartati, Suryani, Mulyani, Anggraini, Maharani, Ningsih, Yuliana"),
        _words("Jakarta, Semarang, Yogyakarta, Surakarta, Purworejo, Kebumen, Cilacap, Banyumas, Brebes, "
               "Tegal, Klaten, Wonogiri, Kediri, Surabaya, Malang, Tangerang, Tangerang, Magelang, Pati"),
        (("Islam", 0.9), ("Kristen", 0.05), ("Katholik", 0.05))),
    NameGroup(
        "betawi", 14,
        _words("Mamat, Rojali, Jaelani, Mursyid, Sarmili, Muhidin, Sanusi, Rohim, Jamaludin, Sapri, Abdul, "
               "Muhamad, Rahmat, Zainal, Syamsudin, Nurdin, Saidi, Husin, Haris, Fauzi, Ridho, Rizal, Hasan, "
               "Usman, Ahmad, Mahfud, Ismail, Hamid, Ali, Salim, Arifin, Hanafi"),
        _words("Siti, Nur, Mimin, Juleha, Saadah, Maemunah, Rohaya, Romlah, Nurhasanah, Fatmawati, Jubaedah, "
               "Aisyah, Zahra, Nurlela, Halimah, Munawaroh, Saodah, Rodiah, Nurhayati, Fauziah"),
        _words("Abdullah, Syafei, Hasanudin, Nasrullah, Jaelani, Sulaiman, Supriadi, Kamaludin, Ramli, "
               "Marzuki, Rohmat, Sanusi, Hamdani, Mahmud, Sofyan, Hidayat, Fadilah, Zulkarnaen, Ridwan"),
        _words("Aminah, Fatimah, Maesaroh, Khodijah, Nurjanah, Rohmah, Hasanah, Zubaedah, Mardiah, Rahmah, "
               "Ulfah, Sholihah, Mukaromah, Latifah, Nurbaiti"),
        _words("Tangerang, Tangerang, Tangerang, Jakarta, Jakarta, Bekasi, Depok, Bogor"),
        (("Islam", 1.0),)),
    NameGroup(
        "milenial", 12,
        _words("Muhammad, Muhamad, Ahmad, Rizky, Fikri, Fahmi, Ilham, Rafi, Naufal, Hafiz, Farhan, Akbar, "
               "Dimas, Reza, Aditya, Alif, Haikal, Fadli, Rian, Bima, Kevin, Rendi, Yoga, Dafa, Arya"),
        _words("Nur, Nurul, Annisa, Aulia, Putri, Salsabila, Nadia, Fitri, Rizka, Dinda, Anisa, "
               "Khairunnisa, Zahra, Syifa, Amelia, Aisyah, Nabila, Alya, Tiara, Citra, Shinta, Vina"),
        _words("Ramadhan, Maulana, Firdaus, Hakim, Syahputra, Alfarizi, Rizki, Pratama, Nugraha, Ananda, "
               "Saputra, Fadillah, Hidayat, Kurniawan, Wijaya, Prakoso, Setiawan, Firmansyah, Akbar"),
        _words("Fitriani, Rahmadani, Aprilia, Safitri, Azzahra, Maharani, Ramadhani, Oktaviani, Permata, "
               "Lestari, Amalia, Fauziah, Hidayah, Wulandari, Maulida, Rahmawati, Pratiwi, Anjani, Savitri"),
        _words("Tangerang, Tangerang, Tangerang, Tangerang, Jakarta, Bogor, Serang, Bandung, Depok, Bekasi"),
        (("Islam", 1.0),)),
    NameGroup(
        "batak", 5,
        _words("Jhon, Hotman, Parlindungan, Togar, Sahat, Robert, Martin, Daniel, Samuel, Ronald, Benny, "
               "Frans, Hendrik, Josua, Tigor, Poltak, Gomgom, Bonar, Marihot, Jonathan"),
        _words("Rosmawati, Maria, Rut, Debora, Melati, Hotmaida, Rotua, Tiurma, Rosa, Elisabeth, Yohana, "
               "Lamtiur, Romauli, Sarma, Nurmala, Friska, Grace, Lastri"),
        _words("Simanjuntak, Siregar, Sitorus, Hutapea, Simatupang, Nainggolan, Pardede, Sinaga, Situmorang, "
               "Tambunan, Panjaitan, Hutagalung, Manurung, Sihombing, Silalahi, Napitupulu, Pasaribu, "
               "Simbolon, Siahaan, Gultom, Sianipar, Marpaung"),
        (),
        _words("Medan, Pematangsiantar, Tarutung, Balige, Sibolga, Jakarta, Tangerang, Samosir"),
        (("Kristen", 0.75), ("Katholik", 0.25)), surname_for_women=True),
    NameGroup(
        "timur", 3,
        _words("Yohanes, Stefanus, Paulus, Petrus, Agustinus, Fransiskus, Antonius, Yosef, Markus, Michael, "
               "Kristian, Gregorius, Ignatius, Aloysius, Yakobus, Marthen, Decky, Jefri"),
        _words("Maria, Theresia, Agnes, Veronika, Natalia, Yuliana, Margaretha, Fransiska, Lusia, Katarina, "
               "Cecilia, Monika, Bernadeta, Angela, Christina, Meiske, Stevani"),
        _words("Wenas, Rumondor, Pangemanan, Lasut, Sumampouw, Tuhumury, Pattiasina, Latuheru, Manuputty, "
               "Lewerissa, Dacosta, Fernandez, Kelen, Sinaulan, Mandagi, Tumbelaka, Lopis, Making"),
        (),
        _words("Manado, Ambon, Kupang, Ende, Maumere, Tomohon, Jakarta, Tangerang, Larantuka"),
        (("Kristen", 0.45), ("Katholik", 0.55)), surname_for_women=True),
    NameGroup(
        "tionghoa", 3,
        _words("Hendra, Budi, Hartono, Steven, Kevin, Sugianto, Andi, Wiliam, Yohan, Felix, Jimmy, Rudy, "
               "Edwin, Ferry, Jonny, Irwan"),
        _words("Lina, Susan, Lili, Meliana, Yenny, Vivian, Cynthia, Jessica, Erna, Linda, Fenny, Stella, "
               "Liana, Megawati, Shirley"),
        _words("Wijaya, Gunawan, Tanoto, Halim, Susanto, Salim, Kusuma, Santoso, Hartanto, Setiawan, Lim, "
               "Tan, Chandra, Lie, Sutanto, Tjahjadi, Wibisono"),
        (),
        _words("Tangerang, Tangerang, Jakarta, Pontianak, Medan, Bandung, Semarang, Singkawang"),
        (("Budha", 0.4), ("Kristen", 0.3), ("Katholik", 0.2), ("Konghucu", 0.1)), surname_for_women=True),
    NameGroup(
        "minang", 3,
        _words("Rizal, Hendri, Afrizal, Yusrizal, Zulkifli, Erwin, Fadhil, Syafrizal, Andri, Irwan, Defri, "
               "Yulianto, Fauzan, Ikhlas, Rahmat"),
        _words("Yusnidar, Nurhayati, Fitria, Yelni, Desi, Rahmi, Elfira, Rosna, Yulia, Mardiana, Zuraida"),
        _words("Syahputra, Effendi, Rahman, Amir, Hamzah, Yunus, Nasution, Putra, Rasyid, Idris, Anwar"),
        _words("Yanti, Yusnita, Marlina, Elvira, Wahyuni, Sari, Novita, Rahmadani"),
        _words("Padang, Bukittinggi, Payakumbuh, Solok, Pariaman, Jakarta, Tangerang"),
        (("Islam", 1.0),)),
    NameGroup(
        "bali", 1,
        _words("I Wayan, I Made, I Nyoman, I Ketut, I Gede, I Putu, I Komang"),
        _words("Ni Luh, Ni Made, Ni Wayan, Ni Ketut, Ni Putu, Ni Komang"),
        _words("Suardana, Sudarsana, Wirawan, Artawan, Mahendra, Sutrisna, Adnyana, Widiantara, Suarjana"),
        _words("Sri Wahyuni, Ayu Lestari, Kartini, Ariani, Suastini, Sukmawati, Purnamasari, Astiti"),
        _words("Denpasar, Gianyar, Tabanan, Singaraja, Badung, Klungkung"),
        (("Hindu", 1.0),)),
)

# Kemendagri kecamatan codes of Kota Tangerang (36.71.xx), for the NIK and the address.
KECAMATAN = {
    1: "Tangerang", 2: "Jatiuwung", 3: "Batuceper", 4: "Benda", 5: "Cipondoh", 6: "Ciledug", 7: "Karawaci",
    8: "Periuk", 9: "Cibodas", 10: "Neglasari", 11: "Pinang", 12: "Karang Tengah", 13: "Larangan",
}

STREETS = _words(
    "Jl. Imam Bonjol, Jl. Daan Mogot, Jl. M.H. Thamrin, Jl. Jend. Sudirman, Jl. Gatot Subroto, "
    "Jl. K.H. Hasyim Ashari, Jl. Perintis Kemerdekaan, Jl. Raden Saleh, Jl. Cemara, Jl. Melati, Jl. Mawar, "
    "Jl. Kenanga, Jl. Flamboyan, Jl. Dahlia, Jl. Anggrek, Jl. Veteran, Jl. Maulana Hasanudin, Jl. Otista, "
    "Jl. Ki Samaun, Jl. Beringin Raya, Jl. Borobudur, Jl. Prambanan, Jl. Aria Santika, Jl. Moh. Yamin, "
    "Jl. Marsekal Suryadarma, Jl. Husein Sastranegara, Jl. Pembangunan, Jl. Raya Serang, Jl. Raya Ciledug, "
    "Jl. H.O.S. Cokroaminoto, Jl. Kyai Maja, Jl. Benteng Betawi, Jl. Teuku Umar, Jl. Hasyim Ashari, "
    "Jl. Pinang Raya, Jl. Nyi Mas Melati, Jl. Bouraq, Jl. Prof. Dr. Supomo, Jl. Ahmad Yani, Jl. Kisamaun, "
    "Perum Banjar Wijaya, Perumnas I Karawaci, Perum Taman Cibodas, Perum Poris Indah, Perum Griya Kencana, "
    "Komplek Departemen Agama, Perum Pondok Arum, Perum Alam Raya, Perum Karang Tengah Permai")

HP_PREFIXES = _words("0811, 0812, 0813, 0821, 0822, 0852, 0853, 0856, 0857, 0877, 0878, 0881, 0895, 0896, 0898")
MAIL_DOMAINS = _words("gmail.com, gmail.com, gmail.com, gmail.com, yahoo.com, yahoo.co.id, outlook.com")

SLTA_SCHOOLS = _words(
    "SMA Negeri 1 Tangerang, SMA Negeri 2 Tangerang, SMA Negeri 3 Tangerang, SMA Negeri 5 Tangerang, "
    "SMA Negeri 7 Tangerang, SMA Negeri 9 Tangerang, MAN 1 Kota Tangerang, MAN 2 Kota Tangerang, "
    "SMA Negeri 1 Serang, SMA Negeri 3 Bandung, SMA Negeri 1 Garut, SMA Negeri 1 Jakarta, "
    "SMA Negeri 28 Jakarta, SMA Negeri 1 Semarang, SMA Negeri 1 Yogyakarta, SMA Muhammadiyah 1 Tangerang, "
    "SMA Islam Al-Azhar, SMA Kristen Penabur, SMA Santa Maria, SMA PGRI 109 Tangerang, SMA Negeri 1 Medan")
UNIVERSITIES = _words(
    "Universitas Indonesia, Universitas Padjadjaran, Universitas Gadjah Mada, Universitas Diponegoro, "
    "Universitas Negeri Jakarta, Universitas Pendidikan Indonesia, UIN Syarif Hidayatullah Jakarta, "
    "Universitas Sultan Ageng Tirtayasa, Universitas Muhammadiyah Tangerang, Universitas Islam Syekh-Yusuf, "
    "Universitas Pamulang, Universitas Terbuka, Universitas Trisakti, Universitas Krisnadwipayana, "
    "Universitas Muhammadiyah Prof. Dr. Hamka, Universitas Pancasila, Universitas Mercu Buana, "
    "Institut Pemerintahan Dalam Negeri, Universitas Sumatera Utara, Universitas Brawijaya, "
    "Universitas Airlangga, Universitas Negeri Semarang, Universitas Bina Nusantara, STIE Ahmad Dahlan")
HEALTH_SCHOOLS = _words(
    "Poltekkes Kemenkes Banten, Poltekkes Kemenkes Jakarta I, Poltekkes Kemenkes Jakarta III, "
    "Poltekkes Kemenkes Bandung, STIKes Yatsi Tangerang, STIKes Widya Dharma Husada, "
    "Akademi Keperawatan Fatmawati, Akademi Kebidanan Bina Husada, Universitas Indonesia, "
    "Universitas Padjadjaran, Universitas Trisakti, UIN Syarif Hidayatullah Jakarta, "
    "Universitas Muhammadiyah Tangerang, Universitas Esa Unggul, Universitas Kristen Indonesia")

SPOUSE_JOBS = _words(
    "Karyawan Swasta, Karyawan Swasta, Wiraswasta, Wiraswasta, Mengurus Rumah Tangga, Guru Honorer, "
    "Karyawan BUMN, TNI, POLRI, Pedagang, Dosen, Buruh, Tidak Bekerja, PNS, PNS, PPPK")
