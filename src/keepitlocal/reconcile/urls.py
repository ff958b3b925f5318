from django.urls import path

from keepitlocal.reconcile import views

app_name = "reconcile"

urlpatterns = [
    path("reconcile", views.service, name="service"),
    path("reconcile/suggest/entity", views.suggest_entity, name="suggest-entity"),
    path("reconcile/propose_properties", views.propose_properties, name="propose-properties"),
    path("reconcile/preview", views.preview, name="preview"),
    path("reconcile/view/<str:identifier>", views.view, name="view"),
    path("reconcile/docs", views.docs, name="docs"),
    path("reconcile/upload/", views.upload, name="upload"),
]
