import sys
import threading

from django.apps import AppConfig


class SpendConfig(AppConfig):
    name = "keepitlocal.spend"
    label = "spend"
    verbose_name = "Spend analysis"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The task worker readies the analysis as it starts, in the background: importing the engine, DuckDB and
        # matplotlib took a second and a half of the first upload's wait after every restart.
        if "db_worker" in sys.argv:
            from keepitlocal.spend.analysis import warm_up

            threading.Thread(target=warm_up, name="spend-warm-up", daemon=True).start()
