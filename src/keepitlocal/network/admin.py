"""The Django admin, for the network team only. Membership records saved here go through the same audited
services as the forms, and the audit history itself cannot be edited."""

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from keepitlocal.network import models, services


def _council(obj: Model) -> models.Council:
    return obj.council if isinstance(obj, models.Membership) else services.membership_of(obj).council


class AuditedAdmin(admin.ModelAdmin[Any]):
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        services.save_membership_record(obj, _council(obj), request.user)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.delete_membership_record(obj, _council(obj), request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Deleting a membership would delete its history with it; pause or mark it as left instead.
        return self.model is not models.Membership and super().has_delete_permission(request, obj)


admin.site.register([models.Membership, models.Endorsement, models.Champion, models.CommunityConversation], AuditedAdmin)


@admin.register(models.AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[models.AuditEntry]):
    list_display = ("at", "council", "actor_label", "action", "record")
    list_filter = ("action", "record")
    search_fields = ("council__name", "actor_label")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(models.Council)
class CouncilAdmin(admin.ModelAdmin[models.Council]):
    list_display = ("name", "gss_code", "council_type", "region_name", "successor_code")
    search_fields = ("name", "gss_code")
    list_filter = ("council_type", "nation")


admin.site.register(
    [
        models.ImportRun,
        models.PrincipleSet,
        models.Principle,
        models.Cohort,
        models.Organisation,
        models.NetworkMember,
        models.Event,
    ]
)
