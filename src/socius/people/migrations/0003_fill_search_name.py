from django.db import migrations

BATCH = 2000


def fill_search_name(apps, schema_editor):
    # A pure helper without models: safe to import from a migration.
    from socius.people.names import search_name

    Person = apps.get_model("people", "Person")
    batch = []
    for person in Person.objects.only("id", "given_name", "family_name").iterator(BATCH):
        person.search_name = search_name(person.given_name, person.family_name)
        batch.append(person)
        if len(batch) >= BATCH:
            Person.objects.bulk_update(batch, ["search_name"])
            batch = []
    Person.objects.bulk_update(batch, ["search_name"])


class Migration(migrations.Migration):
    dependencies = [("people", "0002_person_hub")]

    operations = [migrations.RunPython(fill_search_name, migrations.RunPython.noop)]
