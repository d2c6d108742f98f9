from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# A developer's CACHE_URL never reaches the tests.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
INSTALLED_APPS = [*INSTALLED_APPS, "tests.spoke"]  # noqa: F405  (the test spoke: tests/spoke)

# --- audit log (issue 12): each test process (each xdist worker) its own file, out of var/.
import os as _os  # noqa: E402
import tempfile as _tempfile  # noqa: E402

AUDIT_LOG_FILE = _os.path.join(_tempfile.gettempdir(), f"iop-test-audit-{_os.getpid()}.jsonl")
LOGGING["handlers"]["audit_file"]["filename"] = AUDIT_LOG_FILE  # noqa: F405
