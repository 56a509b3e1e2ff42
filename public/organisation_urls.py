from django.urls import path

from public import calendar
from public import organisation_views as views

app_name = "organisations"

urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("<slug:slug>/", views.organisation_detail, name="detail"),
    path("<slug:slug>/calendar.ics", calendar.organisation_calendar_ics, name="calendar"),
]
