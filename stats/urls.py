from django.urls import path

from stats import views

app_name = "stats"

urlpatterns = [
    path("hit", views.beacon, name="beacon"),
    path("pixel.gif", views.pixel, name="pixel"),
]
