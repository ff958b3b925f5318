from django.urls import path

from keepitlocal.assessment import views

app_name = "assessment"

urlpatterns = [
    path("assessment/framework/", views.framework, name="framework"),
]
