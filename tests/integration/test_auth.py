"""Logging in and out: messages, statuses, lock-out, CSRF, rate limit, cookies, audit."""
from __future__ import annotations

from sqlalchemy import select

from app import create_app
from app.extensions import limiter
from app.models import AuditEvent, User
from tests.conftest import csrf_token, login
from tests.world import PASSWORD


def _events(dbs, action):
    return dbs.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_login_succeeds_and_is_audited(client, dbs):
    """Does a correct password log the user in, land on the home page and write an audit event?"""
    before = len(_events(dbs, "auth.login"))
    response = login(client, "bkpsdm")
    assert response.status_code == 302 and response.headers["Location"].endswith("/beranda")
    assert "Selamat datang" in client.get("/beranda").get_data(as_text=True)
    assert len(_events(dbs, "auth.login")) == before + 1


def test_session_cookie_is_httponly_and_samesite(client):
    """Is the session cookie HttpOnly and SameSite=Lax?"""
    response = login(client, "bkpsdm")
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_wrong_password_gets_indonesian_message(client, dbs):
    """Does a wrong password get 401, a Bahasa Indonesia message and a failure audit event?"""
    response = login(client, "bkpsdm", "salah-sekali-1")
    body = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "Nama pengguna atau kata sandi salah" in body
    failures = _events(dbs, "auth.login_failed")
    assert failures and failures[-1].details["reason"] == "kata sandi salah"


def test_unknown_user_gets_the_same_message(client):
    """Does an unknown username get the same answer as a wrong password (no account probing)?"""
    response = login(client, "tidak-ada-orangnya", "apa-saja-123")
    assert response.status_code == 401
    assert "Nama pengguna atau kata sandi salah" in response.get_data(as_text=True)


def test_lockout_after_repeated_failures(app, client, dbs):
    """After five wrong passwords, is the account locked even for the right password?"""
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        assert login(client, "kepala", "salah-sekali-1").status_code == 401
    locking = login(client, "kepala", "salah-sekali-1")
    assert locking.status_code == 423 and "dikunci" in locking.get_data(as_text=True)
    still = login(client, "kepala", PASSWORD)
    assert still.status_code == 423 and "Akun terkunci" in still.get_data(as_text=True)
    assert dbs.scalar(select(User).where(User.username == "kepala")).locked_until is not None
    assert _events(dbs, "auth.lockout")


def test_login_without_csrf_token_is_refused(client, dbs):
    """Is a login form posted without its CSRF token refused with 400 and a clear message?"""
    before = len(_events(dbs, "auth.login"))
    response = client.post("/masuk", data={"username": "bkpsdm", "password": PASSWORD})
    assert response.status_code == 400
    assert "token keamanan (CSRF)" in response.get_data(as_text=True)
    assert len(_events(dbs, "auth.login")) == before


def test_login_with_wrong_csrf_token_is_refused(client):
    """Is a forged CSRF token refused?"""
    csrf_token(client)
    response = client.post("/masuk", data={"username": "bkpsdm", "password": PASSWORD, "csrf_token": "palsu"})
    assert response.status_code == 400


def test_inactive_user_cannot_log_in(client, dbs):
    """Can a deactivated account still log in?"""
    user = dbs.scalar(select(User).where(User.username == "kepala"))
    user.active = False
    dbs.commit()
    response = login(client, "kepala")
    assert response.status_code == 401 and "dinonaktifkan" in response.get_data(as_text=True)


def test_demo_account_refused_outside_demo_mode(client, dbs):
    """Can an account with a published demo password log in when demo mode is off?"""
    user = dbs.scalar(select(User).where(User.username == "kepala"))
    user.is_demo = True
    dbs.commit()
    response = login(client, "kepala")
    assert response.status_code == 401 and "mode demo" in response.get_data(as_text=True)


def test_logout_requires_post_and_ends_session(client, dbs):
    """Does logging out end the session and get audited?"""
    login(client, "bkpsdm")
    token = csrf_token(client, "/beranda")
    assert client.post("/keluar", data={"csrf_token": token}).status_code == 302
    assert _events(dbs, "auth.logout")
    assert client.get("/beranda").status_code == 302  # back to the login page


def test_pages_need_login(client):
    """Does an anonymous visitor get sent to the login page?"""
    response = client.get("/pegawai/")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


def test_open_redirect_is_refused(client):
    """Does the login ignore a `next` that points to another site?"""
    token = csrf_token(client)
    response = client.post("/masuk?next=//evil.example", data={"username": "bkpsdm", "password": PASSWORD,
                                                               "csrf_token": token})
    assert response.headers["Location"].endswith("/beranda")


def test_login_rate_limit(app, dbs):
    """Are rapid login attempts from one address answered with 429 in Bahasa Indonesia?"""
    limited = create_app({"TESTING": True, "RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute"},
                         database_url=app.config["DATABASE_URL"], instance_path=app.config["INSTANCE_PATH"],
                         secret_key="r" * 40)
    limiter.reset()
    client = limited.test_client()
    try:
        statuses = [login(client, "bkpsdm", "salah-sekali-1").status_code for _ in range(4)]
        assert statuses[:3] == [401, 401, 401] and statuses[3] == 429
        assert "Terlalu banyak" in login(client, "bkpsdm").get_data(as_text=True)
    finally:
        # The limiter is one object per process; give the other tests back their disabled limiter.
        limiter.reset()
        limiter.enabled = False
