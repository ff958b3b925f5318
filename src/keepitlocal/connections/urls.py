from django.urls import path

from keepitlocal.connections import public_views, respond_views, views

app_name = "connections"

urlpatterns = [
    path("manage/organisations/<int:pk>/home/", views.home, name="home"),
    path("manage/organisations/<int:pk>/map/", views.map_page, name="map"),
    path("manage/organisations/<int:pk>/map/download/<str:fmt>/", views.download, name="download"),
    path("manage/organisations/<int:pk>/map/elements/add/", views.element_add, name="element-add"),
    path("manage/organisations/<int:pk>/map/elements/<int:element_id>/", views.element_edit, name="element"),
    path("manage/organisations/<int:pk>/map/connections/", views.connection_list, name="connections"),
    path("manage/organisations/<int:pk>/map/connections/add/", views.connection_add, name="connection-add"),
    path("manage/organisations/<int:pk>/map/connections/<int:connection_id>/", views.connection_edit, name="connection"),
    path("manage/organisations/<int:pk>/map/connections/<int:connection_id>/ask/", views.ask, name="ask"),
    path("manage/organisations/<int:pk>/map/import/", views.import_map, name="import"),
    path("manage/organisations/<int:pk>/map/sharing/", views.sharing, name="sharing"),
    path("connections/confirm/done/", respond_views.confirm_done, name="confirm-done"),
    path("connections/confirm/<str:confirm_token>/", respond_views.confirm, name="confirm"),
    path("organisations/<int:pk>/connections/", public_views.published, name="published"),
    path("manage/councils/<str:gss_code>/connections/", views.area, name="area"),
    # Removals last: the route-access walk removes the records it walks with.
    path(
        "manage/organisations/<int:pk>/map/connections/<int:connection_id>/remove/",
        views.connection_remove,
        name="connection-remove",
    ),
    path("manage/organisations/<int:pk>/map/elements/<int:element_id>/remove/", views.element_remove, name="element-remove"),
]
