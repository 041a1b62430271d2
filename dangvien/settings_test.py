"""Test settings: fast hashing, in-memory mail, SQLite unless DATABASE_URL says otherwise."""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")

from dangvien.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_FAILURE_LIMIT = 3
# Tasks run at once, in the test's own transaction; a test of the real queue switches
# back to the database backend and runs ``db_worker --batch``.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Tests log in with force_login; the accounts tests switch the second factor on again.
SECOND_FACTOR_REQUIRED = False
# Tests that are not about consent list candidates without one; the privacy tests switch
# it on again.
PERSONAL_DATA_CONSENT_REQUIRED = False
