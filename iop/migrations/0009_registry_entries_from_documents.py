# The registry (diariet) becomes the one register: every document registered before it —
# the case's own documents and the organisation's documents registered in a case — gets its
# line, with the number, date, direction, counterpart, description and registering user it
# was registered with, pointing at the document. Every role may read the register.
#
# An organisation's document registered without a case (in the organisation's own file at a
# public body) belongs to no case, so it has no line here; it keeps its own number.

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone, translation

from iop.roles import sync_roles

CHANGE_REASON = "Registered before the registry: line created from the document"


def _organisation_document_description(kind: str, year, description: str) -> str:
    # As partners.services.documents.registry_description, frozen here.
    from partners.constants import DocumentKind

    label = str(DocumentKind(kind).label) if kind in DocumentKind.values else kind
    head = " ".join(str(part) for part in (label, year) if part)
    return " – ".join(part for part in (head, (description or "").strip()) if part)


def create_registry_entries(apps, schema_editor=None) -> None:
    """A line for every registered CaseDocument and case-registered OrganisationDocument
    that has none yet (running it twice changes nothing)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    RegistryEntry = apps.get_model("iop", "RegistryEntry")
    HistoricalRegistryEntry = apps.get_model("iop", "HistoricalRegistryEntry")
    CaseDocument = apps.get_model("iop", "CaseDocument")
    OrganisationDocument = apps.get_model("partners", "OrganisationDocument")

    case_document_type = ContentType.objects.get_for_model(CaseDocument)
    organisation_document_type = ContentType.objects.get_for_model(OrganisationDocument)
    pointed = set(
        RegistryEntry.objects.filter(object_id__isnull=False).values_list(
            "content_type_id", "object_id"
        )
    )
    taken = set(RegistryEntry.objects.values_list("case_id", "serial"))

    entries = []
    with translation.override(settings.LANGUAGE_CODE):
        for document in (
            CaseDocument.objects.filter(document_serial__isnull=False)
            .exclude(registry_number="")
            .order_by("pk")
        ):
            if (case_document_type.pk, document.pk) in pointed:
                continue
            entries.append(
                RegistryEntry(
                    case_id=document.case_id,
                    serial=document.document_serial,
                    number=document.registry_number,
                    registered_on=document.received_on,
                    registered_at=document.uploaded_at or timezone.now(),
                    direction=document.direction,
                    counterpart=document.counterpart,
                    kind=f"iop.{document.kind}",
                    description=document.title[:300],
                    registered_by_id=document.uploaded_by_id,
                    content_type_id=case_document_type.pk,
                    object_id=document.pk,
                )
            )
        for document in (
            OrganisationDocument.objects.filter(
                case__isnull=False, document_serial__isnull=False
            )
            .exclude(registry_number="")
            .select_related("organisation")
            .order_by("pk")
        ):
            if (organisation_document_type.pk, document.pk) in pointed:
                continue
            entries.append(
                RegistryEntry(
                    case_id=document.case_id,
                    serial=document.document_serial,
                    number=document.registry_number,
                    registered_on=document.received_on,
                    registered_at=document.uploaded_at or timezone.now(),
                    direction="incoming",
                    counterpart=document.organisation.name[:300],
                    kind=f"partners.{document.kind}",
                    description=_organisation_document_description(
                        document.kind, document.year, document.description
                    )[:300],
                    registered_by_id=document.uploaded_by_id,
                    content_type_id=organisation_document_type.pk,
                    object_id=document.pk,
                )
            )

    clashes = [e.number for e in entries if (e.case_id, e.serial) in taken]
    seen: set = set()
    for entry in entries:
        key = (entry.case_id, entry.serial)
        if key in seen:
            clashes.append(entry.number)
        seen.add(key)
    if clashes:
        raise RuntimeError(
            "Two documents hold the same number within a case; correct them before "
            f"migrating: {sorted(set(clashes))}"
        )

    created = RegistryEntry.objects.bulk_create(entries, batch_size=500)
    if not created or created[0].pk is None:
        # Backends that do not return keys from bulk_create: read them back.
        by_number = dict(
            RegistryEntry.objects.filter(number__in=[e.number for e in entries]).values_list(
                "number", "pk"
            )
        )
        for entry in entries:
            entry.pk = entry.id = by_number[entry.number]
        created = entries
    now = timezone.now()
    HistoricalRegistryEntry.objects.bulk_create(
        [
            HistoricalRegistryEntry(
                id=entry.pk,
                serial=entry.serial,
                number=entry.number,
                registered_on=entry.registered_on,
                registered_at=entry.registered_at,
                direction=entry.direction,
                counterpart=entry.counterpart,
                kind=entry.kind,
                description=entry.description,
                object_id=entry.object_id,
                case_id=entry.case_id,
                content_type_id=entry.content_type_id,
                registered_by_id=entry.registered_by_id,
                history_date=now,
                history_type="+",
                history_user_id=entry.registered_by_id,
                history_change_reason=CHANGE_REASON,
            )
            for entry in created
        ],
        batch_size=500,
    )


def remove_registry_entries(apps, schema_editor=None) -> None:
    """Back: the lines this migration created (the documents keep their numbers)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    RegistryEntry = apps.get_model("iop", "RegistryEntry")
    HistoricalRegistryEntry = apps.get_model("iop", "HistoricalRegistryEntry")
    types = ContentType.objects.filter(
        app_label__in=["iop", "partners"], model__in=["casedocument", "organisationdocument"]
    )
    migrated = HistoricalRegistryEntry.objects.filter(history_change_reason=CHANGE_REASON)
    ids = list(migrated.values_list("id", flat=True))
    RegistryEntry.objects.filter(pk__in=ids, content_type__in=types).delete()
    migrated.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("iop", "0008_people_registry_notifications"),
        ("partners", "0002_document_registration"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="registryentry",
            index=models.Index(fields=["counterpart", "id"], name="registry_entry_counterpart"),
        ),
        migrations.RunPython(create_registry_entries, remove_registry_entries),
        # iop.view_registryentry for every role (iop.roles).
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
