from django.urls import path

from onboarding.review import views

app_name = "review"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("login/", views.ReviewLoginView.as_view(), name="login"),
    path("logout/", views.ReviewLogoutView.as_view(), name="logout"),
    path("numbers/", views.numbers, name="numbers"),
    path("cases/<uuid:public_id>/", views.case_detail, name="case"),
    path("cases/<uuid:public_id>/claim/", views.claim, name="claim"),
    path("cases/<uuid:public_id>/release/", views.release, name="release"),
    path("cases/<uuid:public_id>/reveal/", views.reveal, name="reveal"),
    path("cases/<uuid:public_id>/approve/", views.approve, name="approve"),
    path("cases/<uuid:public_id>/reject/", views.reject, name="reject"),
    path("cases/<uuid:public_id>/resubmit/", views.request_resubmission, name="resubmit"),
]
