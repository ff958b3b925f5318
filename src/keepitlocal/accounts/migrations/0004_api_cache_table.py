"""The database table the API's rate limits are counted in (settings.CACHES["api"]), made by migrate like every
other table so that no setup step can be forgotten."""

from typing import Any

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps: Any, schema_editor: Any) -> None:
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_api_tokens")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
