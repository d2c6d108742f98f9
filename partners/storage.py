"""The file storage of uploaded and generated documents: Django's FileSystemStorage, except that
a file saved inside a database transaction is removed again if that transaction rolls back.

A document is registered in one transaction (its registry number, its row, the case's event)
but its file is written to disk at once. If anything after the write fails, the rows roll back
and, without this, the file would stay on disk, unreferenced: a copy of case data nobody can
see, list or weed out (OWASP ASVS V12.1).

Django has no "on rollback" hook. What it does have: a callback registered with
``transaction.on_commit`` is called when the outermost transaction commits, and discarded when
the transaction (or the savepoint it was registered in) rolls back. So the storage registers a
small callback per saved file; when the callback is discarded without having run, a
``weakref.finalize`` on it removes the file. CPython frees the callback the moment Django drops
its last reference, so the removal happens inside the rollback itself.
"""

from __future__ import annotations

import logging
import weakref

from django.core.files.storage import FileSystemStorage, Storage
from django.db import DEFAULT_DB_ALIAS, transaction

from .uploads import safe_upload_name

logger = logging.getLogger(__name__)


def _remove_unless_committed(storage: Storage, name: str, committed: list[bool]) -> None:
    if committed:
        return
    try:
        storage.delete(name)
    except OSError:  # pragma: no cover - the disk failing too; the log says what is left
        logger.exception("Could not remove %s after its transaction rolled back", name)


def remove_on_rollback(storage: Storage, name: str, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Remove ``name`` from ``storage`` if the current transaction rolls back; nothing outside
    a transaction (autocommit: the row is saved or not, and the caller sees the error)."""
    if not transaction.get_connection(using).in_atomic_block:
        return
    committed: list[bool] = []

    def mark_committed() -> None:
        committed.append(True)

    weakref.finalize(mark_committed, _remove_unless_committed, storage, name, committed)
    transaction.on_commit(mark_committed, using=using)


class TransactionalFileSystemStorage(FileSystemStorage):
    """FileSystemStorage whose files saved in a transaction that rolls back are removed, and
    whose file names are cleaned (``partners.uploads.safe_upload_name``)."""

    def get_valid_name(self, name):
        return safe_upload_name(name)

    def save(self, name, content, max_length=None):
        name = super().save(name, content, max_length=max_length)
        remove_on_rollback(self, name)
        return name
