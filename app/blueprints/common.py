"""Helpers shared by the blueprints: the acting user, request arguments."""
from __future__ import annotations

from flask import request
from flask_login import current_user

from ..extensions import db
from ..services.audit import Actor
from ..services.errors import BadRequestError


def actor() -> Actor:
    user = current_user
    return Actor(user.id, user.username, request.remote_addr)


def session():
    return db.session()


def int_arg(name: str, default: int = 1, minimum: int = 1, maximum: int = 1_000_000) -> int:
    raw = request.args.get(name, "").strip()
    if raw == "":
        return default
    if not raw.isdigit() or not (minimum <= int(raw) <= maximum):
        raise BadRequestError(f"Parameter '{name}' harus bilangan bulat antara {minimum} dan {maximum}; "
                              f"diberikan '{raw[:20]}'.")
    return int(raw)


def str_arg(name: str, maximum: int = 100) -> str:
    return request.args.get(name, "").strip()[:maximum]
