from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "keepitlocal.web"
    label = "web"
    verbose_name = "Web pages"
