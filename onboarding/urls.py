from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from onboarding.core import views as core_views

urlpatterns = [
    path("", core_views.root, name="landing"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("register/", include("onboarding.registration.urls")),
    path("review/", include("onboarding.review.urls")),
    path("kyc/", include("onboarding.kyc.urls")),
    path("api/v1/", include("onboarding.partners.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
