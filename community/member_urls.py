from django.urls import path

from community import ties_views, views

app_name = "community"

urlpatterns = [
    path("<str:username>/", views.profile, name="profile"),
    # Online identities, ties, privacy and contact imports (issue 4).
    path("me/identities/add/", ties_views.identity_add, name="identity_add"),
    path("me/identities/<int:pk>/delete/", ties_views.identity_delete, name="identity_delete"),
    path("me/ties/<int:pk>/delete/", ties_views.tie_delete, name="tie_delete"),
    path("me/privacy/", ties_views.privacy, name="privacy"),
    path("me/imports/", ties_views.import_upload, name="import"),
    path("me/imports/confirm/", ties_views.import_confirm, name="import_confirm"),
    path("me/imports/<int:pk>/undo/", ties_views.import_undo, name="import_undo"),
    path("me/x-account/", ties_views.x_account, name="x_account"),
    path("<str:username>/know/", ties_views.tie_add, name="tie_add"),
]
