"""/edit/updates/: editors review partners' progress updates."""

from django.urls import path

from partners import views

app_name = "partners_review"

urlpatterns = [
    path("", views.review_queue, name="queue"),
    path("<int:pk>/accept/", views.review_accept, name="accept"),
    path("<int:pk>/decline/", views.review_decline, name="decline"),
]
