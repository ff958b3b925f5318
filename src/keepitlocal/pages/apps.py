from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "keepitlocal.pages"
    label = "pages"
    verbose_name = "Pages that compose capabilities"
