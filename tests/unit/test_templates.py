"""Do all page templates compile?"""
from pathlib import Path

import pytest

from app import create_app

TEMPLATES = sorted(p.relative_to(Path("app/templates")).as_posix() for p in Path("app/templates").rglob("*.html"))


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_compiles(tmp_path, name):
    """Does this template compile without a syntax error?"""
    app = create_app(instance_path=tmp_path, database_url=f"sqlite:///{tmp_path}/t.sqlite", secret_key="k" * 40)
    app.jinja_env.get_template(name)
