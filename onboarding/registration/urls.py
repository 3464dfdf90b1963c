from django.urls import path

from onboarding.registration import views

app_name = "registration"

urlpatterns = [
    path("", views.start, name="start"),
    path("signup/", views.sign_up, name="signup"),
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("verify/", views.verify, name="verify"),
    path("v/<uuid:public_id>/upload/", views.upload, name="upload"),
    path("v/<uuid:public_id>/progress/", views.progress, name="progress"),
    path("v/<uuid:public_id>/form/", views.card_form, name="form"),
    path("v/<uuid:public_id>/status/", views.status, name="status"),
    path("specimen/<int:seed>/<str:side>.jpg", views.specimen, name="specimen"),
]
