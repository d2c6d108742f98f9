"""Write use cases for organisations, their contact persons, documents and value
declarations, one module per use case. Views, admin and commands call these; each records
who did it (django-simple-history's ``_history_user``) and runs in one transaction."""

from .contacts import contact_person_create, contact_person_delete, contact_person_update
from .declarations import value_declaration_record, value_declaration_update
from .documents import DOCUMENT_CORRECTABLE, document_register, document_update
from .grants import declare_grant, withdraw_grant
from .organisations import organisation_create, organisation_update

__all__ = [
    "DOCUMENT_CORRECTABLE",
    "contact_person_create",
    "contact_person_delete",
    "contact_person_update",
    "declare_grant",
    "document_register",
    "document_update",
    "organisation_create",
    "organisation_update",
    "value_declaration_record",
    "value_declaration_update",
    "withdraw_grant",
]
