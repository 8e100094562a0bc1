"""Do the Alembic migrations build exactly the schema the models describe, on each backend?"""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.extensions import db
from app.models import Base


def test_migrations_match_models(app, dbs):
    """Is there no difference between the migrated database and the models?"""
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
