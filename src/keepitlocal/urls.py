from django.contrib import admin
from django.urls import include, path

from keepitlocal.accounts import views as account_views
from keepitlocal.api.main import api

admin.site.site_header = "Keep it Local Network administration"
admin.site.site_title = "Keep it Local Network"

urlpatterns = [
    path("", include("keepitlocal.web.urls")),
    path("", include("keepitlocal.network.urls")),
    path("", include("keepitlocal.spend.urls")),
    path("", include("keepitlocal.assessment.urls")),
    path("", include("keepitlocal.connections.urls")),
    path("", include("keepitlocal.value.urls")),
    path("", include("keepitlocal.reconcile.urls")),
    path("", include("keepitlocal.directory.urls")),
    path("account/", include("keepitlocal.accounts.urls")),
    path("api/v1/", api.urls),
    path("admin/login/", account_views.admin_sign_in, name="admin-sign-in"),
    path("admin/", admin.site.urls),
]

handler403 = "keepitlocal.web.views.forbidden"
handler404 = "keepitlocal.web.views.not_found"
handler500 = "keepitlocal.web.views.server_error"
