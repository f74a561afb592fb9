"""Each submission gets a reference a person can read out (central.reference) and a workflow
status. Rows stored before get a fresh random reference each, and status "new"."""

import secrets

from django.db import migrations, models


def _reference() -> str:
    from central.reference import damm_digit

    body = "".join(secrets.choice("0123456789") for _ in range(11))
    return body + damm_digit(body)


def fill_references(apps, schema_editor):
    db = schema_editor.connection.alias
    Submission = apps.get_model("central", "Submission")
    taken = set(Submission.objects.using(db).exclude(reference__isnull=True)
                .values_list("reference", flat=True))
    for sub in Submission.objects.using(db).filter(reference__isnull=True).only("id").iterator():
        ref = _reference()
        while ref in taken:
            ref = _reference()
        taken.add(ref)
        Submission.objects.using(db).filter(id=sub.id).update(reference=ref)


class Migration(migrations.Migration):

    dependencies = [
        ("central", "0002_staff_accounts_in_django_auth"),
    ]

    operations = [
        migrations.AddField(
            model_name="submission",
            name="reference",
            field=models.CharField(max_length=12, null=True),
        ),
        migrations.AddField(
            model_name="submission",
            name="status",
            field=models.CharField(db_index=True, default="new", max_length=16),
        ),
        migrations.RunPython(fill_references, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="submission",
            name="reference",
            field=models.CharField(max_length=12, unique=True),
        ),
    ]
