"""The auditor's pages, mounted at ``/giam-sat/`` (namespace ``auditlog``)."""

from dangvien.auditlog.views import urlpatterns as urlpatterns

app_name = "auditlog"
