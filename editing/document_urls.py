from django.urls import path

from editing import document_views as edit_views

app_name = "sources-edit"

urlpatterns = [
    path("", edit_views.document_list, name="documents"),
    path("<slug:slug>/", edit_views.document_edit, name="document"),
    path("<slug:slug>/details/", edit_views.document_details, name="details"),
    path("<slug:slug>/commitments/add/", edit_views.commitment_add, name="commitment-add"),
    path("<slug:slug>/commitments/<str:key>/", edit_views.commitment_edit, name="commitment"),
    path(
        "<slug:slug>/commitments/<str:key>/remove/",
        edit_views.commitment_remove,
        name="commitment-remove",
    ),
    path("<slug:slug>/history/", edit_views.document_history, name="history"),
    path("<slug:slug>/publish/", edit_views.document_publish, name="publish"),
    path("<slug:slug>/discard/", edit_views.document_discard, name="discard"),
    path("<slug:slug>/responses/", edit_views.response_list, name="responses"),
    path("<slug:slug>/responses.csv", edit_views.response_csv, name="responses-csv"),
    path(
        "<slug:slug>/responses/<int:pk>/moderate/",
        edit_views.response_moderate,
        name="moderate",
    ),
]
