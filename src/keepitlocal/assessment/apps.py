from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "keepitlocal.assessment"
    label = "assessment"
    verbose_name = "Principles assessment"
