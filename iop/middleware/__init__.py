"""The project's own middleware (listed in iop/settings/base.py MIDDLEWARE)."""
