from django.urls import path

from subscriptions import views

app_name = "subscriptions"

urlpatterns = [
    path("new/", views.subscription_new, name="new"),
    path("new/sent/", views.subscription_sent, name="sent"),
    path("confirm/<str:token>/", views.subscription_confirm_view, name="confirm"),
    path("unsubscribe/<str:token>/", views.subscription_unsubscribe, name="unsubscribe"),
    path("manage/<str:token>/", views.subscriptions_manage, name="manage"),
]
