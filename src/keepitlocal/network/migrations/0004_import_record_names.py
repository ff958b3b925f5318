"""Import records share one base (network.models.ImportRecord): the registry's rejections are its problems."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("network", "0003_council_join")]

    operations = [migrations.RenameField(model_name="importrun", old_name="rejections", new_name="problems")]
