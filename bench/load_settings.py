"""bench/load.sh's settings: production's (DEBUG off, Redis, PostgreSQL, manifest static files),
but the cookies may travel over plain HTTP, because the load test talks to gunicorn on the
loopback without TLS. Nothing else differs; everything else comes from the environment."""

from iop.settings.production import *  # noqa: F403

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
