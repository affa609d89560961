from halland_utbud.api import Router
from requirements.api.views import CatalogueVersionViewSet, RequirementViewSet

router = Router()
router.register("catalogue/versions", CatalogueVersionViewSet, basename="catalogue-version")
router.register("catalogue/requirements", RequirementViewSet, basename="catalogue-requirement")

urlpatterns = router.urls
