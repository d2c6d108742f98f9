"""The embedded first-run default: SQLite, the filesystem broker, mail to files."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
