"""What OPTIONS answers on an API endpoint. DRF's default describes the fields of each write by
instantiating the view's serializer, which these views do not declare (each action has its own
input serializer): that was a 500 for every client allowed to write. The schema at /api/schema/
already describes every field, so OPTIONS says which methods the endpoint takes and where the
description is."""

from __future__ import annotations

from rest_framework.metadata import BaseMetadata


class APIMetadata(BaseMetadata):
    def determine_metadata(self, request, view) -> dict:
        return {
            "name": view.get_view_name(),
            "description": view.get_view_description(),
            "methods": list(view.allowed_methods),
            "renders": [renderer.media_type for renderer in view.renderer_classes],
            "parses": [parser.media_type for parser in view.parser_classes],
            "docs": "/api/docs/",
        }
