"""Interactive docs that work offline.

ninja renders Swagger UI from its bundled static files only when ``ninja`` is in
INSTALLED_APPS; otherwise it pulls the scripts from a CDN, which a party office network
may not reach. This serves the bundled files from the ninja package itself, under the
API's own URL, so no setting or collectstatic step is needed.
"""

import json
import mimetypes
from pathlib import Path
from typing import Any

import ninja
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template import engines
from django.urls import reverse
from django.views.decorators.cache import cache_control
from ninja.openapi.docs import DocsBase

ASSETS_DIR = Path(ninja.__file__).parent / "static" / "ninja"
ASSETS = {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js", "favicon.png"}

PAGE = engines["django"].from_string(
    """<!DOCTYPE html>
<html lang="vi">
<head>
  <meta charset="utf-8">
  <title>{{ title }}</title>
  <link rel="stylesheet" href="{{ css }}">
  <link rel="icon" href="{{ icon }}" type="image/png">
</head>
<body data-csrf-token="{{ csrf_token }}" data-api-csrf="true">
  <script type="application/json" id="swagger-settings">{{ settings|safe }}</script>
  <div id="swagger-ui"></div>
  <script src="{{ bundle }}"></script>
  <script src="{{ init }}"></script>
</body>
</html>"""
)


class OfflineSwagger(DocsBase):
    def render_page(self, request: HttpRequest, api: Any, **kwargs: Any) -> HttpResponse:
        settings = {
            "layout": "BaseLayout",
            "deepLinking": True,
            "url": self.get_openapi_url(api, kwargs),
        }
        context = {
            "title": api.title,
            # "</" cannot close the script element early.
            "settings": json.dumps(settings).replace("</", "<\\/"),
            "csrf_token": get_token(request),
            "css": reverse("api-docs-asset", args=["swagger-ui.css"]),
            "bundle": reverse("api-docs-asset", args=["swagger-ui-bundle.js"]),
            "init": reverse("api-docs-asset", args=["swagger-ui-init.js"]),
            "icon": reverse("api-docs-asset", args=["favicon.png"]),
        }
        return HttpResponse(PAGE.render(context, request))


@cache_control(max_age=86400, public=True)
def docs_asset(request: HttpRequest, name: str) -> FileResponse:
    """One of the Swagger UI files bundled with django-ninja."""
    if name not in ASSETS:
        raise Http404(name)
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse((ASSETS_DIR / name).open("rb"), content_type=content_type)
