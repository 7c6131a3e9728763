from django.urls import path

from community import views

app_name = "community"

urlpatterns = [
    path("<str:username>/", views.profile, name="profile"),
]
