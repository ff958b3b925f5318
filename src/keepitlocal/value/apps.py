from django.apps import AppConfig


class ValueConfig(AppConfig):
    name = "keepitlocal.value"
    label = "value"
    verbose_name = "Value case"
    default_auto_field = "django.db.models.BigAutoField"
