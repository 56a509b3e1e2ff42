"""/timeline/ and its exports. Names are global (`timeline`, `timeline-csv`, `timeline-json`)."""

from django.urls import path

from public import timeline_views as views

urlpatterns = [
    path("", views.timeline, name="timeline"),
    path("export.csv", views.export_csv, name="timeline-csv"),
    path("export.json", views.export_json, name="timeline-json"),
]
