"""Every URL the project serves, enumerated from the URL resolver so new routes are covered.

Path parameters are filled with the id of an existing object where the route names its model
(the admin's change pages), and with ``1`` otherwise, so parameterised pages are requested too.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch

from salescope.core.ownership import all_records


@dataclass(frozen=True)
class Route:
    name: str
    path: str


def _walk(patterns: list, namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def _params(name: str) -> list[str]:
    """The keyword arguments a named route needs (from the resolver's reverse dictionary)."""
    resolver = get_resolver()
    *namespaces, view_name = name.split(":")
    for ns in namespaces:
        resolver = resolver.namespace_dict[ns][1]
    possibilities = resolver.reverse_dict.getlist(view_name)
    params: set[str] = set()
    for possibility, _pattern, _defaults, _converters in possibilities:
        for _result, names in possibility:
            params.update(names)
    return sorted(params)


def _sample(param: str, callback) -> list[str]:  # noqa: ANN001
    if param == "app_label":
        return ["org", "core", "auth"]
    model_admin = getattr(callback, "model_admin", None)
    if param == "object_id" and model_admin is not None:
        first = all_records(model_admin.model).order_by("pk").first()
        return [str(first.pk)] if first is not None else []
    return ["1"]


def get_routes() -> list[Route]:
    """One concrete path per named route that can be reversed with sample values."""
    routes: dict[str, Route] = {}
    for name, pattern in _walk(get_resolver().url_patterns):
        if name in routes:
            continue
        params = _params(name)
        candidates = [{}]
        for param in params:
            candidates = [
                {**c, param: value}
                for c in candidates
                for value in _sample(param, pattern.callback)
            ]
        for kwargs in candidates:
            try:
                routes[name] = Route(name, reverse(name, kwargs=kwargs or None))
                break
            except NoReverseMatch:
                continue
    return sorted(routes.values(), key=lambda r: r.path)
