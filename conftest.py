"""Shared test fixtures. PostgreSQL runs set DATABASE_URL (see .ci/run)."""
