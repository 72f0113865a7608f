"""Create the three starting tags and the `annotators` and `editors` groups."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

STARTING_TAGS = [
    ("legal argument", "legal-argument", "#8ecae6", "A claim about what the law requires or forbids."),
    ("statistic", "statistic", "#ffb703", "A number, count or measurement offered as evidence."),
    ("quote", "quote", "#b5e48c", "Words attributed to a named person or organization."),
]

VIEW = ["view"]
ALL = ["add", "change", "delete", "view"]

ANNOTATOR_PERMISSIONS = {
    ("articles", "outlet"): VIEW,
    ("articles", "organization"): VIEW,
    ("articles", "article"): VIEW,
    ("articles", "articlerevision"): VIEW,
    ("annotations", "tag"): VIEW,
    # The admin and the services restrict change/delete to the annotator's own passages.
    ("annotations", "annotation"): ALL,
    ("annotations", "apitoken"): ALL,
}
EDITOR_PERMISSIONS = {
    ("articles", "outlet"): ALL,
    ("articles", "organization"): ALL,
    ("articles", "article"): ALL,
    ("articles", "articlerevision"): VIEW,
    ("annotations", "tag"): ALL,
    ("annotations", "annotation"): [*ALL, "edit_any"],
    ("annotations", "apitoken"): ALL,
}


def codename(action, model):
    return "edit_any_annotation" if action == "edit_any" else f"{action}_{model}"


def forwards(apps, schema_editor):
    # Permissions are normally created after migrate; create them now so groups can hold them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Tag = apps.get_model("annotations", "Tag")
    for name, slug, colour, description in STARTING_TAGS:
        Tag.objects.update_or_create(
            slug=slug, defaults={"name": name, "colour": colour, "description": description}
        )

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, grants in (("annotators", ANNOTATOR_PERMISSIONS), ("editors", EDITOR_PERMISSIONS)):
        group, _ = Group.objects.get_or_create(name=group_name)
        for (app_label, model), actions in grants.items():
            for action in actions:
                group.permissions.add(
                    Permission.objects.get(
                        content_type__app_label=app_label, codename=codename(action, model)
                    )
                )


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["annotators", "editors"]).delete()
    apps.get_model("annotations", "Tag").objects.filter(
        slug__in=[slug for _, slug, _, _ in STARTING_TAGS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0001_initial"),
        ("articles", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
