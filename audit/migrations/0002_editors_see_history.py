"""Editors may read the history (and, through the services, restore passages from it)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_PERMISSIONS = {"editors": ["view_historyrecord"]}


def forwards(apps, schema_editor):
    # Permissions are normally created after migrate; create them now so groups can hold them.
    app_config = apps.get_app_config("audit")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="audit", codename__in=codenames)
        )


def backwards(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUP_PERMISSIONS):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="audit", codename__in=GROUP_PERMISSIONS[group.name]
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("annotations", "0002_starting_tags_and_groups"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
