"""One place that turns domain errors and HTTP errors into Bahasa Indonesia pages."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..services.errors import DomainError

TITLES = {
    400: "Permintaan tidak valid",
    401: "Belum masuk",
    403: "Akses ditolak",
    404: "Halaman tidak ditemukan",
    405: "Metode tidak diizinkan",
    409: "Terjadi konflik data",
    413: "Berkas terlalu besar",
    422: "Isian belum benar",
    423: "Akun terkunci",
    429: "Terlalu banyak permintaan",
    500: "Terjadi kesalahan pada sistem",
}
MESSAGES = {
    403: "Anda tidak memiliki hak akses untuk membuka halaman ini.",
    404: "Halaman atau data yang Anda cari tidak ada, atau tidak termasuk cakupan Anda.",
    405: "Cara membuka halaman ini tidak diizinkan.",
    429: "Terlalu banyak percobaan dalam waktu singkat. Tunggu sebentar lalu coba lagi.",
    500: "Maaf, terjadi kesalahan. Tim BKPSDM telah dicatat kejadiannya; silakan coba lagi nanti.",
}


def _render(status: int, message: str, fields: dict | None = None):
    if request.accept_mimetypes.best == "application/json" or request.path.startswith("/api/"):
        return jsonify(error=TITLES.get(status, "Kesalahan"), message=message, fields=fields or {}), status
    return render_template("error.html", status=status, title=TITLES.get(status, "Kesalahan"),
                           message=message, fields=fields or {}), status


def install(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        return _render(exc.status, exc.message, exc.fields)

    @app.errorhandler(CSRFError)
    def csrf_error(_exc):
        return _render(400, "Formulir kedaluwarsa atau token keamanan (CSRF) tidak sah. "
                            "Muat ulang halaman lalu kirim kembali formulir Anda.")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = exc.code or 500
        return _render(code, MESSAGES.get(code, exc.description or TITLES.get(code, "Kesalahan")))

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("Kesalahan tak terduga: %s", exc)
        return _render(500, MESSAGES[500])
