"""Staff accounts move to django.contrib.auth: each row of staff_user becomes a user with the
same name, its argon2 hash kept (Django's Argon2PasswordHasher reads it, and re-hashes with its
own parameters at the next sign-in), its role a group, disabled accounts inactive."""

from django.db import migrations

ROLES = ("editor", "publisher", "analyst", "admin")


def forwards(apps, schema_editor):
    db = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    User = apps.get_model("auth", "User")
    StaffUser = apps.get_model("central", "StaffUser")
    groups = {name: Group.objects.using(db).get_or_create(name=name)[0] for name in ROLES}
    for old in StaffUser.objects.using(db).all():
        if User.objects.using(db).filter(username=old.username).exists():
            continue
        user = User.objects.using(db).create(
            username=old.username, password="argon2" + old.password_hash,
            is_active=not old.disabled, date_joined=old.created_at)
        if old.role in groups:
            user.groups.add(groups[old.role])


def backwards(apps, schema_editor):
    db = schema_editor.connection.alias
    User = apps.get_model("auth", "User")
    StaffUser = apps.get_model("central", "StaffUser")
    for user in User.objects.using(db).all():
        role = next((g.name for g in user.groups.all() if g.name in ROLES), None)
        if role and user.password.startswith("argon2$"):
            StaffUser.objects.using(db).get_or_create(
                username=user.username[:64],
                defaults={"password_hash": user.password[len("argon2"):], "role": role,
                          "created_at": user.date_joined, "disabled": not user.is_active})


class Migration(migrations.Migration):

    dependencies = [
        ("central", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.DeleteModel(name="StaffUser"),
    ]
