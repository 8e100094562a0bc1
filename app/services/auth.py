"""Log-in decisions: password check, lock-out after repeated failures, audit of every attempt."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import User
from ..models.base import utcnow
from . import audit
from .audit import Actor
from .errors import AccountLockedError, AuthenticationError
from .passwords import DUMMY_HASH, hash_password, needs_rehash, verify_password

WRONG_CREDENTIALS = ("Nama pengguna atau kata sandi salah. Setelah beberapa kali salah berturut-turut, "
                     "akun dikunci sementara demi keamanan.")


def authenticate(session: Session, username: str, password: str, *, ip: str | None,
                 max_failures: int, lockout_minutes: int, demo_mode: bool = False) -> User:
    """Return the user or raise; the outcome is audited and committed either way."""
    username = (username or "").strip()
    user = session.scalar(select(User).where(func.lower(User.username) == username.lower()))
    actor = Actor(user.id if user else None, username or "(kosong)", ip)
    if user is None:
        verify_password(DUMMY_HASH, password or "")
        return _fail(session, actor, "tidak dikenal", AuthenticationError(WRONG_CREDENTIALS))
    if user.locked_until and user.locked_until > utcnow():
        minutes = max(1, int((user.locked_until - utcnow()).total_seconds() // 60) + 1)
        return _fail(session, actor, "akun terkunci", AccountLockedError(
            f"Akun terkunci karena terlalu banyak percobaan gagal. Coba lagi dalam {minutes} menit "
            "atau hubungi admin BKPSDM."))
    if not verify_password(user.password_hash, password or ""):
        return _wrong_password(session, user, actor, max_failures, lockout_minutes)
    if not user.active:
        return _fail(session, actor, "akun nonaktif", AuthenticationError(
            "Akun Anda dinonaktifkan. Hubungi admin BKPSDM."))
    if user.is_demo and not demo_mode:
        return _fail(session, actor, "akun demo di luar mode demo", AuthenticationError(
            "Akun demo hanya dapat dipakai saat SIMASN berjalan dalam mode demo."))
    return _succeed(session, user, actor, password)


def _wrong_password(session, user, actor, max_failures, lockout_minutes):
    user.failed_logins += 1
    if user.failed_logins >= max_failures:
        user.locked_until = utcnow() + timedelta(minutes=lockout_minutes)
        user.failed_logins = 0
        audit.record(session, actor, "auth.lockout", "user", user.id, minutes=lockout_minutes)
        return _fail(session, actor, "kata sandi salah", AccountLockedError(
            f"Terlalu banyak percobaan gagal. Akun dikunci selama {lockout_minutes} menit."))
    return _fail(session, actor, "kata sandi salah", AuthenticationError(WRONG_CREDENTIALS))


def _fail(session: Session, actor: Actor, reason: str, error: Exception):
    audit.record(session, actor, "auth.login_failed", "user", actor.user_id, reason=reason)
    session.commit()
    raise error


def _succeed(session: Session, user: User, actor: Actor, password: str) -> User:
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, utcnow()
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.record(session, actor, "auth.login", "user", user.id)
    session.commit()
    return user


def record_logout(session: Session, user: User, ip: str | None) -> None:
    audit.record(session, Actor(user.id, user.username, ip), "auth.logout", "user", user.id)
    session.commit()
