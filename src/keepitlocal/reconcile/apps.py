from django.apps import AppConfig


class ReconcileConfig(AppConfig):
    name = "keepitlocal.reconcile"
    verbose_name = "Reconciliation"
