"""Every route with an object id, from the URL resolver (pages) and the OpenAPI schema (API).

Both lists are computed at collection time, so a new route appears in the matrices by itself
and fails until its app registers how to build an object for it (``registry.py``).
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, reverse

PAGE_METHODS = ("get", "post")
WRITE_METHODS = ("post", "put", "patch", "delete")
# Namespaces not enumerated as pages: the API (enumerated from OpenAPI instead) and the admin
# (staff only: everyone else is sent to the admin login before any object is looked up).
SKIPPED_NAMESPACES = ("api", "admin")


@dataclass(frozen=True)
class PageRoute:
    name: str
    params: tuple[str, ...]
    pattern: URLPattern

    def url(self, params: dict[str, Any]) -> str:
        return reverse(self.name, kwargs={k: params[k] for k in self.params})

    @property
    def accepts_post(self) -> bool:
        return view_accepts_post(self.pattern.callback)


@dataclass(frozen=True)
class ApiOperation:
    path: str  # the OpenAPI template, e.g. /api/v1/org/people/{person_id}
    method: str
    operation: dict

    @property
    def params(self) -> tuple[str, ...]:
        return tuple(re.findall(r"{(\w+)}", self.path))

    def url(self, params: dict[str, Any]) -> str:
        return re.sub(r"{(\w+)}", lambda m: str(params[m.group(1)]), self.path)

    @property
    def permission(self) -> str | None:
        return self.operation.get("x-permission")

    @property
    def key(self) -> str:
        return f"{self.method.upper()} {self.path}"


def _walk(patterns: list, namespace: str = "", prefix: str = ""):  # noqa: ANN202
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, ns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", prefix + str(entry.pattern), entry


def page_routes() -> list[PageRoute]:
    routes: dict[str, PageRoute] = {}
    for name, route, pattern in _walk(get_resolver().url_patterns):
        if name.split(":")[0] in SKIPPED_NAMESPACES or name in routes:
            continue
        routes[name] = PageRoute(name, tuple(re.findall(r"<(?:\w+:)?(\w+)>", route)), pattern)
    return sorted(routes.values(), key=lambda r: r.name)


def page_routes_with_ids() -> list[PageRoute]:
    return [r for r in page_routes() if r.params]


def view_accepts_post(view: Any) -> bool:
    """Whether a page view is declared to take POST (require_POST / require_http_methods or a
    class-based view with ``post``)."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return hasattr(view_class, "post")
    func = view
    while func is not None:
        for cell in getattr(func, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if isinstance(value, list | tuple) and "POST" in value:
                return True
        func = getattr(func, "__wrapped__", None)
    return False


def view_permission(view: Any) -> str | None:
    return getattr(view, "salescope_permission", None)


def openapi_schema() -> dict:
    """The API's OpenAPI schema, a private copy per caller: building it takes about two seconds
    with every app's routes, and the matrices ask for it once per test."""
    return copy.deepcopy(_built_schema())


@functools.cache
def _built_schema() -> dict:
    from salescope.api import api

    return dict(api.get_openapi_schema())


def api_operations() -> list[ApiOperation]:
    schema = openapi_schema()
    ops = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in ("get", *WRITE_METHODS):
                ops.append(ApiOperation(path, method, operation))
    return sorted(ops, key=lambda o: (o.path, o.method))


def api_operations_with_ids() -> list[ApiOperation]:
    return [op for op in api_operations() if op.params]


# --- request bodies made from the schema ------------------------------------------------------


def _resolve(schema: dict, root: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].split("/")[-1]
        schema = root["components"]["schemas"][name]
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _resolve(schema["allOf"][0], root)
    if "anyOf" in schema:
        options = [s for s in schema["anyOf"] if s.get("type") != "null"]
        return _resolve(options[0], root) if options else {"type": "null"}
    return schema


def example(schema: dict, root: dict) -> Any:
    """A small valid-looking value for a JSON schema: required properties only."""
    schema = _resolve(schema, root)
    if "default" in schema:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {name: example(props[name], root) for name in schema.get("required", [])}
    if kind == "array":
        return []
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "date":
            return dt.date.today().isoformat()  # noqa: DTZ011 - a date, not a moment
        if fmt == "date-time":
            return dt.datetime.now(dt.UTC).isoformat()
        return "x" * max(1, schema.get("minLength", 1))
    return None


def call(client: Any, op: ApiOperation, params: dict, root: dict, body: Any = None) -> Any:
    """Request ``op`` with ``params`` in the path and a body and query made from the schema."""
    url, kwargs = request_for(op, params, root, body)
    return getattr(client, op.method)(url, **kwargs)


def request_for(op: ApiOperation, params: dict, root: dict, body: Any = None) -> tuple[str, dict]:
    from urllib.parse import urlencode

    kwargs: dict[str, Any] = {}
    query = {}
    for parameter in op.operation.get("parameters", []):
        if parameter.get("in") == "query" and parameter.get("required"):
            query[parameter["name"]] = example(parameter.get("schema", {}), root)
    content = op.operation.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        data = body if body is not None else example(content["application/json"]["schema"], root)
        kwargs.update(data=data, content_type="application/json")
    elif "multipart/form-data" in content:
        from django.core.files.uploadedfile import SimpleUploadedFile

        schema = _resolve(content["multipart/form-data"]["schema"], root)
        data = {
            name: SimpleUploadedFile("x.csv", b"code,name\n") for name in schema.get("required", [])
        }
        kwargs.update(data=data)
    url = op.url(params)
    if query:
        url = f"{url}?{urlencode(query)}"
    return url, kwargs
