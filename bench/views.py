from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def floor(request: HttpRequest) -> HttpResponse:
    """The cheapest page the site can serve, through the same middleware stack."""
    return render(request, "bench_floor.html")
