from django.urls import path

from public import source_views as views
from public.feeds import DocumentUpdatesFeed

app_name = "sources"

urlpatterns = [
    path("", views.document_list, name="list"),
    path("<slug:slug>/", views.document_detail, name="detail"),
    path("<slug:slug>/changes/", views.document_changes, name="changes"),
    path("<slug:slug>/updates.atom", DocumentUpdatesFeed(), name="feed"),
    path("<slug:slug>/respond/", views.consultation_respond, name="respond"),
    path("<slug:slug>/thank-you/", views.consultation_thanks, name="thanks"),
]
