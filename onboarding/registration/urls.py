from django.urls import path

from onboarding.registration import views

app_name = "registration"

urlpatterns = [
    path("", views.start, name="start"),
    path("signup/", views.sign_up, name="signup"),
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
]
