from django.urls import path

from editing import import_views, paste_views, views

app_name = "editing"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("route-maps/new/", views.route_map_new, name="route_map_new"),
    path("organisations/new/", views.organisation_new, name="organisation_new"),
    path("route-maps/<slug:slug>/", views.route_map_edit, name="route_map"),
    path("route-maps/<slug:slug>/details/", views.route_map_details, name="details"),
    path("route-maps/<slug:slug>/history/", views.route_map_history, name="history"),
    path("route-maps/<slug:slug>/publish/", views.publish, name="publish"),
    path("route-maps/<slug:slug>/discard/", views.discard, name="discard"),
    path("route-maps/<slug:slug>/export.csv", import_views.export_csv, name="export_csv"),
    path("route-maps/<slug:slug>/import/", import_views.import_upload, name="import"),
    path(
        "route-maps/<slug:slug>/import/preview/",
        import_views.import_preview,
        name="import_preview",
    ),
    path("route-maps/<slug:slug>/import/apply/", import_views.import_apply, name="import_apply"),
    path("route-maps/<slug:slug>/paste/", paste_views.paste, name="paste"),
    path(
        "route-maps/<slug:slug>/history/<int:record_id>/restore/",
        views.change_restore,
        name="restore",
    ),
    path("route-maps/<slug:slug>/outcomes/new/", views.outcome_add, name="outcome_add"),
    path("route-maps/<slug:slug>/outcomes/<uuid:key>/", views.outcome_edit, name="outcome"),
    path(
        "route-maps/<slug:slug>/outcomes/<uuid:key>/remove/",
        views.outcome_remove,
        name="outcome_remove",
    ),
    path(
        "route-maps/<slug:slug>/outcomes/<uuid:key>/move/", views.outcome_move, name="outcome_move"
    ),
    path(
        "route-maps/<slug:slug>/outcomes/<uuid:outcome_key>/milestones/new/",
        views.milestone_add,
        name="milestone_add",
    ),
    path(
        "route-maps/<slug:slug>/outcomes/<uuid:outcome_key>/progress/new/",
        views.progress_add,
        name="progress_add",
    ),
    path("route-maps/<slug:slug>/milestones/<uuid:key>/", views.milestone_edit, name="milestone"),
    path(
        "route-maps/<slug:slug>/milestones/<uuid:key>/history/",
        views.milestone_history,
        name="milestone_history",
    ),
    path("route-maps/<slug:slug>/progress/<uuid:key>/", views.progress_edit, name="progress"),
    # Milestones and progress entries are removed and moved alike: one view each, told the
    # kind by the pattern, under the names and addresses each kind has always had.
    *(
        path(
            f"route-maps/<slug:slug>/{segment}/<uuid:key>/{verb}/",
            view,
            {"kind": kind},
            name=f"{kind}_{verb}",
        )
        for kind, segment in [("milestone", "milestones"), ("progress", "progress")]
        for verb, view in [("remove", views.item_remove), ("move", views.item_move)]
    ),
]
