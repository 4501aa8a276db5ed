"""The API's published description: every operation's error answers declared with the one error schema.

Ninja documents the answers an operation returns itself; the refusals come from the exception handlers in
`config/api.py` (once for every route), so they are added here, each where it can happen: 401 everywhere
(every route authenticates), 404 for a route on an object or a body naming one by id, 400 and 422 for
input that cannot be read or is not valid, 403 and 409 for writes (and routes that need more than the
right to view).
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

from opencsms.core.access import Access, declared
from opencsms.core.schemas import ErrorOut

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
WHY = {
    400: "The body cannot be read (not JSON, or text that is not Unicode)",
    401: "Authentication required",
    403: "Permission denied on a visible object",
    404: "Not found, or outside the caller's scope (not revealed)",
    409: "The object's state forbids the change",
    422: "The input is not valid: `errors` names each problem",
}


def error_codes(
    method: str, path: str, operation: dict[str, Any], access: Access | None, components: dict[str, Any]
) -> set[int]:
    """The refusals `operation` (`method` on `path`, declared `access`) can answer."""
    codes = {401}
    on_object = "{" in path or (access is not None and access.on and not access.listing)
    if on_object or _body_names_an_object(operation, components):
        codes.add(404)
    if "requestBody" in operation:
        codes |= {400, 422}
    if operation.get("parameters"):
        codes.add(422)
    viewing_only = access is not None and set(access.perms) <= {"view"} and not access.superuser
    if method != "get":
        codes |= {403, 409}
    elif not viewing_only:
        codes.add(403)
    return codes


def _body_names_an_object(operation: dict[str, Any], components: dict[str, Any]) -> bool:
    """Whether the JSON body has an `..._id` field: the object it names may be missing (404), like
    `administrator_id` in a new organisation."""
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    ref = body.get("$ref", "")
    fields = components.get(ref.rsplit("/", 1)[-1], {}) if ref else body
    return any(name.endswith("_id") for name in fields.get("properties", {}))


def _accesses(api: NinjaAPI) -> dict[str, Access | None]:
    """The declaration of each operation, by its operation id."""
    found = {}
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                op_id = operation.operation_id or api.get_openapi_operation_id(operation)
                found[op_id] = declared(operation.view_func)
    return found


def with_error_answers(api: NinjaAPI, schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with each operation's error answers and the `ErrorOut` component."""
    accesses = _accesses(api)
    components = schema.get("components", {}).get("schemas", {})
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            access = accesses.get(operation.get("operationId", ""))
            for code in sorted(error_codes(method, path, operation, access, components)):
                answer = {"description": WHY[code], "content": {"application/json": {"schema": ERROR_REF}}}
                operation["responses"].setdefault(code, answer)
    schema.setdefault("components", {}).setdefault("schemas", {})["ErrorOut"] = ErrorOut.model_json_schema()
    return schema
