from django.urls import path

from keepitlocal.value import views

app_name = "value"

urlpatterns = [
    path("manage/councils/<str:gss_code>/value/", views.cases, name="cases"),
    path("manage/councils/<str:gss_code>/value/new/", views.case_add, name="case-add"),
    path("manage/councils/<str:gss_code>/value/<int:case_id>/", views.case, name="case"),
    path("manage/councils/<str:gss_code>/value/<int:case_id>/report.pdf", views.report, name="report"),
    path("manage/councils/<str:gss_code>/value/<int:case_id>/change/", views.case_edit, name="case-edit"),
    path("manage/councils/<str:gss_code>/value/<int:case_id>/outcomes/add/", views.outcome_add, name="outcome-add"),
    path(
        "manage/councils/<str:gss_code>/value/<int:case_id>/contexts/<int:context_id>/remove/",
        views.context_remove,
        name="context-remove",
    ),
    path(
        "manage/councils/<str:gss_code>/value/<int:case_id>/outcomes/<int:outcome_id>/remove/",
        views.outcome_remove,
        name="outcome-remove",
    ),
    path("manage/councils/<str:gss_code>/value/lm3/", views.lm3_estimate, name="lm3-estimate"),
    path("manage/councils/<str:gss_code>/value/unit-costs/new/", views.own_cost, name="own-cost"),
    path("manage/councils/<str:gss_code>/value/<int:case_id>/claims/add/", views.claim_add, name="claim-add"),
    path("manage/organisations/<int:pk>/lm3/", views.lm3_surveys, name="lm3"),
    path("manage/organisations/<int:pk>/value-cases/", views.contexts, name="contexts"),
    path("councils/<str:gss_code>/value/<int:case_id>/", views.public_case, name="public-case"),
    # After the public page: the route-access walk's POST here unpublishes the demo case it walks with.
    path("manage/councils/<str:gss_code>/value/<int:case_id>/publish/", views.case_publish, name="publish"),
    path("value/unit-costs/", views.library, name="library"),
    path("value/deflator/", views.deflator, name="deflator"),
]
