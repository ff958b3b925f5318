from django.urls import path

from keepitlocal.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.account, name="account"),
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("password-reset/", views.password_reset, name="password-reset"),
    path("password-reset/sent/", views.password_reset_sent, name="password-reset-sent"),
    path("password-reset/<str:uidb64>/<str:token>/", views.password_reset_confirm, name="password-reset-confirm"),
    path("password-reset/done/", views.password_reset_done, name="password-reset-done"),
    # Last: the route-access walk's POST here revokes the token it walks with.
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token-revoke"),
]
