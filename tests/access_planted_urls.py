"""The project's URLconf plus one view that checks nothing: what a developer might add. The
access matrix must name it (tests/test_access_matrix.py::test_an_unchecked_view_is_caught)."""

from django.http import HttpResponse
from django.urls import path

from iop.urls import urlpatterns as project_urlpatterns


def unchecked_case_export(request, case_pk):
    """Answers anyone who is logged in, whatever their role: no permission check."""
    return HttpResponse(f"case {case_pk}")


urlpatterns = [
    *project_urlpatterns,
    path("arenden/<int:case_pk>/oskyddad/", unchecked_case_export, name="planted_unchecked"),
]
