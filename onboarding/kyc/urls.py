from django.urls import path

from onboarding.kyc import views

app_name = "kyc"

urlpatterns = [
    path("images/<uuid:public_id>/<str:side>/<str:variant>", views.card_image, name="card_image"),
]
