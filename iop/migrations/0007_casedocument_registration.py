# A case document is registered (diarieförd): its registry number within the case, its
# direction and counterpart; the timeline records it.

from django.db import migrations, models

DIRECTIONS = [("incoming", "Incoming"), ("drawn_up", "Drawn up"), ("outgoing", "Outgoing")]


def registration_fields():
    return [
        (
            "direction",
            models.CharField(
                choices=DIRECTIONS, default="incoming", max_length=20, verbose_name="direction"
            ),
        ),
        (
            "counterpart",
            models.CharField(
                blank=True,
                help_text="Who sent an incoming document, or whom an outgoing one is sent to.",
                max_length=200,
                verbose_name="sender or recipient",
            ),
        ),
        (
            "document_serial",
            models.PositiveIntegerField(
                blank=True, editable=False, null=True, verbose_name="document number in the case"
            ),
        ),
        (
            "registry_number",
            models.CharField(
                blank=True, editable=False, max_length=40, verbose_name="registry number"
            ),
        ),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("iop", "0006_caseevent_agreement_kind"),
    ]

    operations = [
        *(
            migrations.AddField(model_name=model, name=name, field=field)
            for model in ("casedocument", "historicalcasedocument")
            for name, field in registration_fields()
        ),
        migrations.AddConstraint(
            model_name="casedocument",
            constraint=models.UniqueConstraint(
                condition=models.Q(("registry_number", ""), _negated=True),
                fields=("registry_number",),
                name="casedocument_unique_registry_number",
            ),
        ),
        migrations.AddConstraint(
            model_name="casedocument",
            constraint=models.UniqueConstraint(
                condition=models.Q(("document_serial__isnull", False)),
                fields=("case", "document_serial"),
                name="casedocument_unique_serial_in_case",
            ),
        ),
        migrations.AlterField(
            model_name="caseevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("transition", "Stage changed"),
                    ("assignment", "Case officer assigned"),
                    ("substitute", "Substitute changed"),
                    ("created", "Case registered"),
                    ("agreement", "Agreement"),
                    ("document", "Document registered"),
                ],
                max_length=20,
                verbose_name="kind",
            ),
        ),
    ]
