from django.urls import path

from keepitlocal.directory import views

app_name = "directory"

urlpatterns = [
    path("councils/<str:gss_code>/directory/", views.area, name="area"),
    path("councils/<str:gss_code>/directory/oruk.zip", views.export, name="export"),
    path("directory/organisations/<uuid:entry_id>/", views.organisation, name="organisation"),
    path("manage/councils/<str:gss_code>/directory/import/", views.import_feed, name="import"),
]
