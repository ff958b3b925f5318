from django.urls import path

from keepitlocal.network import network_views, people_views, public_views, views
from keepitlocal.pages import views as pages  # the council home and the network overview compose capabilities

app_name = "network"

urlpatterns = [
    path("principles/", public_views.principles, name="principles"),
    path("councils/", public_views.members, name="members"),
    path("councils/<str:gss_code>/", pages.council_profile, name="council"),
    path("join/", public_views.join, name="join"),
    path("join/done/", public_views.join_done, name="join-done"),
    path("manage/councils/<str:gss_code>/", pages.council_dashboard, name="dashboard"),
    path("manage/councils/<str:gss_code>/membership/", views.membership_edit, name="membership"),
    path("manage/councils/<str:gss_code>/status/", views.status_edit, name="status"),
    path("manage/councils/<str:gss_code>/endorsement/", views.endorsement_edit, name="endorsement"),
    path("manage/councils/<str:gss_code>/champions/new/", views.champion_add, name="champion-add"),
    path("manage/councils/<str:gss_code>/champions/<int:champion_id>/", views.champion_edit, name="champion-edit"),
    path("manage/councils/<str:gss_code>/conversations/new/", views.conversation_add, name="conversation-add"),
    path(
        "manage/councils/<str:gss_code>/conversations/<int:conversation_id>/", views.conversation_edit, name="conversation-edit"
    ),
    path("manage/organisations/<int:pk>/", views.organisation_edit, name="organisation"),
    path("network/", pages.network_overview, name="overview"),
    path("network/events/", views.events, name="events"),
    path("network/events/new/", network_views.event_add, name="event-add"),
    path("network/events/<int:pk>/", views.event_detail, name="event"),
    path("network/join-requests/<int:pk>/", network_views.join_request_decide, name="join-request"),
    path("network/councils/", people_views.councils, name="councils"),
    path("network/councils/<str:gss_code>/add/", people_views.council_add, name="council-add"),
    path("network/councils/<str:gss_code>/people/", people_views.council_people, name="people"),
    path("network/councils/<str:gss_code>/people/<int:user_id>/", people_views.person_action, name="person"),
    path("invitation/<str:token>/", people_views.invitation, name="invitation"),
]
