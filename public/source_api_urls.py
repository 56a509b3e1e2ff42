from django.urls import path

from public import source_api as api

app_name = "sources-api"

urlpatterns = [
    path("", api.document_list, name="list"),
    path("<slug:slug>/", api.document_detail, name="detail"),
]
