"""Alembic migrations; `persistence.migrate` runs them (there is no create_all outside tests)."""
