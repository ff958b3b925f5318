"""Import records share one base (network.models.ImportRecord): the same names for rows read and when."""

from typing import Any

from django.db import migrations, models


def went_through(apps: Any, schema_editor: Any) -> None:
    # A value import was saved only when it went through (one transaction): every record kept succeeded.
    for name in ("UnitCostImport", "GrantImport"):
        apps.get_model("value", name).objects.update(succeeded=True)


class Migration(migrations.Migration):
    dependencies = [("value", "0006_connections_context"), ("network", "0004_import_record_names")]

    operations = [
        migrations.RenameField(model_name="unitcostimport", old_name="lines_read", new_name="rows_read"),
        migrations.RenameField(model_name="unitcostimport", old_name="imported_at", new_name="started_at"),
        migrations.RenameField(model_name="grantimport", old_name="grants_read", new_name="rows_read"),
        migrations.RenameField(model_name="grantimport", old_name="imported_at", new_name="started_at"),
        migrations.AddField(model_name="unitcostimport", name="succeeded", field=models.BooleanField(default=False)),
        migrations.AddField(model_name="grantimport", name="succeeded", field=models.BooleanField(default=False)),
        migrations.RunPython(went_through, migrations.RunPython.noop),
    ]
