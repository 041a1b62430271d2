"""Pages of the targets and statistics area, mounted at ``/thong-ke/`` (namespace ``stats``).

Each area's view module keeps its own ``urlpatterns``; this file joins them.
"""

from dangvien.stats.views import dashboard, funnel, quality, structure, surveys, targets

app_name = "stats"
urlpatterns = [
    *dashboard.urlpatterns,
    *targets.urlpatterns,
    *funnel.urlpatterns,
    *surveys.urlpatterns,
    *structure.urlpatterns,
    *quality.urlpatterns,  # issue 7: rating results and screening outcomes
]
