from django.urls import path

from keepitlocal.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("glossary/", views.glossary, name="glossary"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("api/", views.open_data, name="open-data"),
    path("api/docs/", views.open_data, name="open-data-docs"),
]
