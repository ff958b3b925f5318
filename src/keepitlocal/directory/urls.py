from django.urls import path

from keepitlocal.directory import views

app_name = "directory"

urlpatterns = [
    path("councils/<str:gss_code>/directory/", views.area, name="area"),
    path("councils/<str:gss_code>/directory/oruk.zip", views.export, name="export"),
    path("directory/organisations/<uuid:entry_id>/", views.organisation, name="organisation"),
    path("manage/councils/<str:gss_code>/directory/import/", views.import_feed, name="import"),
    path("manage/councils/<str:gss_code>/directory/assets/", views.assets, name="assets"),
    path("manage/councils/<str:gss_code>/directory/assets/new/", views.asset_edit, name="asset-add"),
    path("manage/councils/<str:gss_code>/directory/assets/<uuid:asset_id>/", views.asset_edit, name="asset-edit"),
]
