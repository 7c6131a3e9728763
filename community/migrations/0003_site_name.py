from django.conf import settings
from django.db import migrations


def name_the_site(apps, schema_editor):
    # allauth signs its emails with the current Site's name.
    Site = apps.get_model("sites", "Site")
    domain = settings.SITE_URL.split("://", 1)[-1]
    Site.objects.update_or_create(pk=settings.SITE_ID, defaults={"domain": domain, "name": "Rencontres"})


class Migration(migrations.Migration):
    dependencies = [("community", "0002_cache_table"), ("sites", "0002_alter_domain_unique")]

    operations = [migrations.RunPython(name_the_site, migrations.RunPython.noop)]
