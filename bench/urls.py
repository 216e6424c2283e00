"""The portal's URLs plus the floor view the benchmarks compare against."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns


def floor(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html", {})


urlpatterns = [path("bench/floor/", floor), *portal_urlpatterns]
