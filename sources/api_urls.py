from django.urls import path

from sources import api

app_name = "sources-api"

urlpatterns = [
    path("", api.document_list, name="list"),
    path("<slug:slug>/", api.document_detail, name="detail"),
]
