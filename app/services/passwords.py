"""Argon2id password hashing."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
MIN_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_faults(password: str) -> list[str]:
    faults = []
    if len(password) < MIN_LENGTH:
        faults.append(f"Kata sandi minimal {MIN_LENGTH} karakter.")
    if password.isdigit() or password.isalpha():
        faults.append("Kata sandi harus memuat huruf dan angka.")
    return faults


# A constant hash so that an unknown username costs the same time as a wrong password.
DUMMY_HASH = _hasher.hash("simasn-dummy-password")
