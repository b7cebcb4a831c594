from __future__ import annotations

import os
import warnings

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socius.settings")
# WhiteNoise streams static files with a synchronous iterator; Django then warns on every
# file served under ASGI. The files are small and the behaviour is correct.
warnings.filterwarnings(
    "ignore", message="StreamingHttpResponse must consume synchronous iterators", category=Warning
)
application = get_asgi_application()
