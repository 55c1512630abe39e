import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mlmaturity.settings")

application = get_wsgi_application()

# Every view and what it imports (plotly, the catalogue, the templates' tags) is loaded here
# rather than by the first request, then left out of the garbage collector's full passes: these
# objects live as long as the process, and scanning them made each full pass hold a request for
# tens of milliseconds (benchmarks/gc_pauses.py).
get_resolver().url_patterns  # noqa: B018 - reading the patterns imports every view
gc.freeze()
