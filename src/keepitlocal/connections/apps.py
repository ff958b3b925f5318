from django.apps import AppConfig


class ConnectionsConfig(AppConfig):
    name = "keepitlocal.connections"
    label = "connections"
    verbose_name = "Connections"
    default_auto_field = "django.db.models.BigAutoField"
