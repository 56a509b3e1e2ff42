"""/my-organisation/: a partner's milestones and progress updates."""

from django.urls import path

from partners import views

app_name = "partners"

urlpatterns = [
    path("", views.my_organisation, name="home"),
    path("milestones/<uuid:key>/update/", views.update_submit, name="update"),
]
