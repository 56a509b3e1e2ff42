"""/accounts/emails/: which emails a signed-in person gets, and one-click unsubscribe links."""

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.email_preferences, name="email_preferences"),
    path("unsubscribe/<str:token>/", views.email_unsubscribe, name="email_unsubscribe"),
]
