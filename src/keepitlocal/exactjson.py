"""Django's JSON serialisation, but with times to the microsecond: Django's own encoder cuts them to milliseconds, so
a backup restored from it would not be the platform it was taken from (settings.SERIALIZATION_MODULES registers it as
the "exactjson" format, which `keepitlocal.backup` writes)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.serializers import json as django_json
from django.core.serializers.json import DjangoJSONEncoder


class ExactEncoder(DjangoJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime | datetime.time):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        return super().default(o)


class Serializer(django_json.Serializer):
    def _init_options(self) -> None:
        self.options["cls"] = ExactEncoder
        super()._init_options()  # type: ignore[misc]  # Django's stubs leave it out


Deserializer = django_json.Deserializer
