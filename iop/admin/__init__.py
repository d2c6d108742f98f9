"""The Django admin for IOP cases and what belongs to them.

The admin is a screen like any other: it writes through ``iop.services`` (registration,
reassignment, transitions, case details, the checklist and documents), so the registry number,
the case events and the officer's e-mail cannot be skipped by editing a row here. Nothing an
auditor may ask for can be deleted, and history (django-simple-history) is viewable but never
reverted from here: a revert would write an old row back past the state machine and the
services.

Importing the modules registers their admins.
"""

from . import audit, case, checklist, documents, events, reference, registry, users  # noqa: F401
