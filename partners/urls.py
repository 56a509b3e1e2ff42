"""/my-organisation/: a partner's milestones and commitments, and the progress updates they send."""

from django.urls import path

from partners import views

app_name = "partners"

urlpatterns = [
    path("", views.my_organisation, name="home"),
    path("milestones/<uuid:key>/update/", views.update_submit, name="update"),
    path(
        "commitments/<int:pk>/update/",
        views.commitment_update_submit,
        name="commitment_update",
    ),
    path("updates/<int:pk>/edit/", views.update_edit, name="update_edit"),
    path("updates/<int:pk>/withdraw/", views.update_withdraw, name="update_withdraw"),
]
