from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "keepitlocal.directory"
    verbose_name = "Directory"
