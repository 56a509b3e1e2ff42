from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from accounts.forms import SignInForm
from accounts.views import password_reset, password_reset_done
from public import api, feeds, organisation_api, search, views

route_map_patterns = [
    path("<slug:slug>/", views.route_map_detail, name="detail"),
    path("<slug:slug>/outcomes/<slug:outcome_slug>/", views.outcome_detail, name="outcome"),
    path("<slug:slug>/updates.atom", feeds.RouteMapUpdatesFeed(), name="feed"),
    path("<slug:slug>/changes/", views.route_map_changes, name="changes"),
]

api_patterns = [
    path("route-maps/", api.route_map_list, name="api-route-maps"),
    path("route-maps/<slug:slug>/", api.route_map_detail, name="api-route-map"),
    path("organisations/", organisation_api.organisation_list, name="api-organisations"),
    path(
        "organisations/<slug:slug>/",
        organisation_api.organisation_detail,
        name="api-organisation",
    ),
    path("openapi.json", api.openapi, name="api-openapi"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("images/favicon.svg"))),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("route-maps/", include((route_map_patterns, "routemap"))),
    path("organisations/", include("public.organisation_urls")),
    path("timeline/", include("public.timeline_urls")),
    path("search/", search.search, name="search"),
    path("open-data/", views.open_data, name="open-data"),
    path("sources/", include("public.source_urls")),
    path("api/sources/", include("public.source_api_urls")),
    path("edit/sources/", include("editing.document_urls")),
    path("feeds/updates.atom", feeds.UpdatesFeed(), name="feed"),
    path("subscriptions/", include("subscriptions.urls")),
    path("api/", include((api_patterns, "api"))),
    path("accounts/password_reset/", password_reset, name="password_reset"),
    path("accounts/password_reset/done/", password_reset_done, name="password_reset_done"),
    path("accounts/emails/", include("accounts.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=SignInForm),
        name="login",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("edit/updates/", include("partners.review_urls")),
    path("edit/", include("editing.urls")),
    path("my-organisation/", include("partners.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "public.views.page_not_found"
handler500 = "public.views.server_error"
