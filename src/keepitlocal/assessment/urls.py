from django.urls import path

from keepitlocal.assessment import respond_views, views

app_name = "assessment"

COUNCIL = "manage/councils/<str:gss_code>/assessment/"
ROUND = COUNCIL + "rounds/<int:round_id>/"

urlpatterns = [
    path("assessment/framework/", views.framework, name="framework"),
    path(COUNCIL, views.rounds, name="rounds"),
    path(COUNCIL + "rounds/new/", views.round_add, name="round-add"),
    path(ROUND, views.round_detail, name="round"),
    path(ROUND + "invite/", views.invite, name="invite"),
    path(ROUND + "close/", views.close, name="close"),
    path(ROUND + "results/", views.results, name="results"),
    path(ROUND + "answers/", views.answers, name="answers"),
    path(ROUND + "report/", views.report, name="report"),
    path(COUNCIL + "actions/", views.actions, name="actions"),
    path(COUNCIL + "actions/new/", views.action_add, name="action-add"),
    path(COUNCIL + "actions/<int:action_id>/", views.action_update, name="action"),
    path(COUNCIL + "sharing/", views.sharing, name="sharing"),
    path(COUNCIL + "benchmark/", views.benchmark, name="benchmark"),
    path("respond/done/", respond_views.respond_done, name="respond-done"),
    path("respond/<str:link_token>/", respond_views.respond, name="respond"),
    path("respond/<str:link_token>/about/", respond_views.respond_about, name="respond-about"),
    path("respond/<str:link_token>/questions/<str:code>/", respond_views.respond_question, name="respond-question"),
    path("respond/<str:link_token>/check/", respond_views.respond_check, name="respond-check"),
]
