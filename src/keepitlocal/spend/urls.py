from django.urls import path

from keepitlocal.spend import network_views, public_views, views

app_name = "spend"

urlpatterns = [
    path("manage/councils/<str:gss_code>/spend/", views.dashboard, name="dashboard"),
    path("manage/councils/<str:gss_code>/spend/upload/", views.upload, name="upload"),
    path("manage/councils/<str:gss_code>/spend/runs/<int:run_id>/", views.run_progress, name="run"),
    path("manage/councils/<str:gss_code>/spend/analyse/", views.analyse_again, name="analyse-again"),
    path("manage/councils/<str:gss_code>/spend/files/<int:file_id>/remove/", views.remove, name="remove"),
    path("manage/councils/<str:gss_code>/spend/files/<int:file_id>/columns/", views.columns, name="columns"),
    path("manage/councils/<str:gss_code>/spend/suppliers/", views.suppliers, name="suppliers"),
    path("manage/councils/<str:gss_code>/spend/rejected/", views.rejected, name="rejected"),
    path("manage/councils/<str:gss_code>/spend/payments/", views.payments, name="payments"),
    path("manage/councils/<str:gss_code>/spend/suppliers/<str:key>/", views.supplier, name="supplier"),
    path("manage/councils/<str:gss_code>/spend/suppliers/<str:key>/correct/", views.correct, name="correct"),
    path("manage/councils/<str:gss_code>/spend/publish/", views.publish, name="publish"),
    path("manage/councils/<str:gss_code>/spend/publish/check/", views.publish_check, name="publish-check"),
    path("compare/spend/", public_views.compare, name="compare"),
    path("network/registers/", network_views.registers, name="registers"),
]
