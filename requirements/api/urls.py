from rest_framework.routers import SimpleRouter

from requirements.api.views import CatalogueVersionViewSet, RequirementViewSet

router = SimpleRouter()
router.register("catalogue/versions", CatalogueVersionViewSet, basename="catalogue-version")
router.register("catalogue/requirements", RequirementViewSet, basename="catalogue-requirement")

urlpatterns = router.urls
