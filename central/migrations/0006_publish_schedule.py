"""Scheduled "Publish to kiosks" (central.publishing): one row per schedule."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('central', '0005_device_technician_mode'),
    ]

    operations = [
        migrations.CreateModel(
            name='PublishSchedule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('due_at', models.DateTimeField(db_index=True)),
                ('created_at', models.DateTimeField()),
                ('created_by', models.CharField(max_length=150)),
                ('state', models.CharField(db_index=True, default='pending', max_length=16)),
                ('note', models.CharField(default='', max_length=200)),
                ('claimed_at', models.DateTimeField(null=True)),
                ('claimed_by', models.CharField(default='', max_length=100)),
                ('finished_at', models.DateTimeField(null=True)),
                ('cancelled_by', models.CharField(default='', max_length=150)),
                ('version', models.BigIntegerField(null=True)),
                ('result', models.TextField(default='')),
            ],
            options={
                'db_table': 'publish_schedule',
                'ordering': ('due_at', 'id'),
            },
        ),
    ]
