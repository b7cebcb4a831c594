import datetime as dt

from django.db import migrations
from django.db.models import F

# Identifiers written with their person (same request) created the record: they are its own.
FOUNDING_WINDOW = dt.timedelta(seconds=2)


def verify_founding(apps, schema_editor):
    Identifier = apps.get_model("people", "Identifier")
    Identifier.objects.filter(
        verified_at__isnull=True,
        is_shared=False,
        created_at__lte=F("person__created_at") + FOUNDING_WINDOW,
    ).update(verified_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [("people", "0005_identifier_verified_at")]

    operations = [migrations.RunPython(verify_founding, migrations.RunPython.noop)]
