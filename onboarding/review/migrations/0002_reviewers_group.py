"""Create the ``reviewers`` group holding the console permission and the personal-data permission.

Permissions are normally created after ``migrate`` finishes (post_migrate), too late for a data
migration, so this one creates the two rows itself with the same (content type, codename) keys that
Django uses; the post_migrate pass then finds them and adds nothing twice.
"""

from django.db import migrations

GROUP = "reviewers"
PERMISSIONS = (
    ("review", "reviewconsole", "access_console", "Can use the review console"),
    ("kyc", "verification", "review_verification", "Can claim and decide verifications"),
    ("kyc", "verification", "view_personal_data", "Can view unmasked personal data and card images"),
)


def create_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for app_label, model, codename, name in PERMISSIONS:
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
        group.permissions.add(permission)


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0001_console_permission"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
