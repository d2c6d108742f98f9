"""The settings of the servers and workers the fault tests start (subprocesses): the
project's base settings, DEBUG off as in production, and the tables made straight from the
models (``migrate --run-syncdb``: seconds, where the migrations take half a minute)."""

from iop.settings.base import *  # noqa: F403
from iop.settings.base import INSTALLED_APPS

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
MIGRATION_MODULES = {app.rsplit(".", 1)[-1]: None for app in INSTALLED_APPS}
