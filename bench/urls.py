"""The portal's URLs plus the floor view the benchmarks compare against."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns


def floor(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html", {})


def bare_floor(request: HttpRequest) -> HttpResponse:
    """What every signed-in request costs before a page is drawn: the middleware, the session, the user."""
    return HttpResponse(request.user.get_username(), content_type="text/plain")


urlpatterns = [path("bench/floor/", floor), path("bench/floor/bare/", bare_floor), *portal_urlpatterns]
