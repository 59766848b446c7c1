"""The timeline pages: one customer's whole stream, paged."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from salescope.core.web import int_param, page
from salescope.customers.queries import get_customer
from salescope.timeline.queries import events_page


@page
def customer(request: HttpRequest, pk: int) -> HttpResponse:
    shown = get_customer(viewer=request.user, pk=pk)
    events = events_page(
        request.user, customer=shown, page=int_param(request, "timeline_page") or 1
    )
    return render(request, "timeline/customer.html", {"customer": shown, "page": events})
