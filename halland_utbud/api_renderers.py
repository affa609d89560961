"""The API's renderers, in a module of their own: DRF imports them while it sets itself up,
so they may import nothing that imports DRF's views."""

from rest_framework.renderers import BrowsableAPIRenderer


class StrictBrowsableAPIRenderer(BrowsableAPIRenderer):
    """DRF's API pages for a signed-in browser, without the inline ``<style>`` of its code
    highlighting, which the Content-Security-Policy (no inline style) would refuse."""

    def get_context(self, data, accepted_media_type, renderer_context) -> dict:
        return super().get_context(data, accepted_media_type, renderer_context) | {
            "code_style": None
        }
