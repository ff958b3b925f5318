from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "keepitlocal.network"
    label = "network"
    verbose_name = "Keep it Local network"
    default_auto_field = "django.db.models.BigAutoField"
