"""/api/v1/webhooks/ routes, included by servicedesk/urls.py ahead of the api app's own."""

from rest_framework.routers import SimpleRouter

from webhooks.api import WebhookViewSet

router = SimpleRouter()
router.register("webhooks", WebhookViewSet, basename="webhook")

urlpatterns = router.urls
