"""Alembic migrations; `migrations.runner` runs them (there is no create_all outside tests)."""
