"""Import records share one base (network.models.ImportRecord): the feed's file name is its source."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial"), ("network", "0004_import_record_names")]

    operations = [migrations.RenameField(model_name="directoryimport", old_name="file_name", new_name="source")]
