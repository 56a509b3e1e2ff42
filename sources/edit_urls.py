from django.urls import path

from sources import edit_views

app_name = "sources-edit"

urlpatterns = [
    path("", edit_views.consultation_list, name="consultations"),
    path("<slug:slug>/responses/", edit_views.response_list, name="responses"),
    path("<slug:slug>/responses.csv", edit_views.response_csv, name="responses-csv"),
    path(
        "<slug:slug>/responses/<int:pk>/moderate/",
        edit_views.response_moderate,
        name="moderate",
    ),
]
