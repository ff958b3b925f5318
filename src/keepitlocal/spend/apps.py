from django.apps import AppConfig


class SpendConfig(AppConfig):
    name = "keepitlocal.spend"
    label = "spend"
    verbose_name = "Spend analysis"
    default_auto_field = "django.db.models.BigAutoField"
