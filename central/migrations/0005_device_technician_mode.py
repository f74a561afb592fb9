"""The technician mode's events and state on each kiosk, from its heartbeats."""

from django.db import migrations, models

import central.models


class Migration(migrations.Migration):

    dependencies = [
        ("central", "0004_feedback_workflow"),
    ]

    operations = [
        migrations.AddField(
            model_name="device",
            name="technician_events",
            field=central.models.JSONField(null=True),
        ),
        migrations.AddField(
            model_name="device",
            name="technician_active",
            field=models.BooleanField(null=True),
        ),
    ]
