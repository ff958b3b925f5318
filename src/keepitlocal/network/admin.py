from django.contrib import admin

from keepitlocal.network import models

for model in (
    models.Council,
    models.ImportRun,
    models.PrincipleSet,
    models.Principle,
    models.Cohort,
    models.Membership,
    models.Endorsement,
    models.Champion,
    models.CommunityConversation,
    models.Organisation,
    models.NetworkMember,
    models.Event,
    models.AuditEntry,
):
    admin.site.register(model)
