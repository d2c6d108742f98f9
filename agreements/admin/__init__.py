"""The Django admin for agreements, mirroring ``iop.admin``; importing the
modules registers their admins.

Agreements and versions are made on the agreement's own pages (``agreements.services``), so
nothing is added here. A draft may be corrected here by whoever may edit it on its page, with
the same optimistic locks: a save from a page opened before someone else's save is refused.
A version that was submitted, reviewed or signed is a record and read-only, as are the
jurist's comments and assessments. Nothing is deletable, and history is viewable but never
reverted.
"""

from . import records, versions  # noqa: F401  (importing the modules registers their admins)
