from django.urls import path

from agreements import views

app_name = "agreements"

urlpatterns = [
    path("", views.index, name="index"),
]
