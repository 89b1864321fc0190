"""Every route of the web app and the action the policy must allow for it.

``page.view`` is allowed to everyone (published data needs no sign-in); any other action is
enforced on the route by ``Depends(require(action, ...))``. tests/integration/test_access_matrix.py
walks the app's own route table: a route missing here, a rule for a route that does not exist,
or a route whose ``require`` names another action fails it; then every route is requested as an
anonymous visitor, a person in the wrong organisation, one with the wrong role, and one with
the right role.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

PUBLIC = "page.view"

_PUBLIC_PAGES = (
    "/", "/search", "/search.json", "/councils", "/councils.json", "/council/{code}",
    "/council/{code}.json", "/council/{code}/profile", "/council/{code}/profile.json",
    "/council/{code}/profile.pdf", "/council/{code}/profile.xlsx", "/early-warning",
    "/early-warning.json", "/datasets", "/datasets.json", "/datasets/{dataset_id}",
    "/datasets/{dataset_id}.json", "/api/councils", "/api/search", "/api/councils/{code}",
    "/api/datasets", "/api/datasets/{dataset_id}", "/api/indicators",
    "/api/councils/{code}/neighbours", "/api/councils/{code}/compare",
    "/api/councils/{code}/trends", "/api/flags", "/api/councils/{code}/flags",
    "/api/councils/{code}/spend", "/docs", "/openapi.json",
    "/sign-in", "/signed-out", "/account.json", "/reset-password/{token}",
    # The register is public; the detail on it is chosen by the policy (agreement.view).
    "/agreements", "/agreements.json", "/agreements/{agreement_id}",
    "/agreements/{agreement_id}.json",
    # A consultation preview: checks a response against the published rules, records nothing.
    "/consult/preview", "/consult/preview.json",
    # After a consultation closes: residents' choices beside the budget adopted (aggregates).
    "/consult/{slug}/you-said-we-did", "/consult/{slug}/you-said-we-did.json",
    # A published consultation, for residents (no account): the simulator and its pages.
    "/consult/{slug}", "/consult/{slug}.json", "/consult/{slug}/privacy",
    "/consult/{slug}/privacy.json", "/consult/{slug}/receipt/{reference}",
    "/consult/{slug}/receipt/{reference}.json", "/consult/{slug}/saved/{token}",
    "/consult/{slug}/saved/{token}.json",
    # Whether the early-warning flags of past years foretold how reserves moved (published data).
    "/early-warning/backtest", "/early-warning/backtest.json",
)

#: (method, path) -> the action required.
RULES: dict[tuple[str, str], str] = {
    **{("GET", path): PUBLIC for path in _PUBLIC_PAGES},
    ("POST", "/sign-in"): "session.sign_in",
    ("GET", "/agreements/new"): "agreement.create",
    ("GET", "/agreements/new.json"): "agreement.create",
    ("POST", "/agreements/new"): "agreement.create",
    ("POST", "/agreements/{agreement_id}/submit"): "agreement.submit",
    ("POST", "/agreements/{agreement_id}/approve"): "agreement.approve",
    ("POST", "/agreements/{agreement_id}/revoke"): "agreement.revoke",
    ("POST", "/sign-in/oidc"): "session.sign_in",
    ("GET", "/sign-in/oidc/callback"): "session.sign_in",
    ("POST", "/reset-password/{token}"): "session.sign_in",
    ("POST", "/consult/preview"): "consult.preview",
    ("POST", "/consult/preview.json"): "consult.preview",
    ("POST", "/consult/{slug}"): "consult.respond",
    ("POST", "/consult/{slug}.json"): "consult.respond",
    ("POST", "/consult/{slug}/started"): "consult.respond",
    ("POST", "/sign-out"): "session.sign_out",
    ("POST", "/sign-out-everywhere"): "session.sign_out",
    ("GET", "/choose-organisation"): "session.choose_org",
    ("POST", "/choose-organisation"): "session.choose_org",
    ("GET", "/audit"): "audit.view",
    ("GET", "/audit.json"): "audit.view",
    ("GET", "/audit.csv"): "audit.export",
    ("GET", "/admin/organisations"): "admin.org.list",
    ("GET", "/admin/organisations.json"): "admin.org.list",
    ("POST", "/admin/organisations"): "admin.org.add",
    ("GET", "/admin/organisations/{code}/people"): "admin.people.view",
    ("GET", "/admin/organisations/{code}/people.json"): "admin.people.view",
    ("POST", "/admin/organisations/{code}/people"): "admin.user.add",
    ("POST", "/admin/organisations/{code}/grant"): "admin.role.grant",
    ("POST", "/admin/organisations/{code}/revoke"): "admin.role.revoke",
    ("POST", "/admin/organisations/{code}/disable"): "admin.user.disable",
    ("POST", "/admin/organisations/{code}/reset-link"): "admin.user.reset_link",
    ("GET", "/upload"): "dataset.upload",
    ("GET", "/upload.json"): "dataset.upload",
    ("POST", "/upload"): "dataset.upload",
    ("POST", "/upload.json"): "dataset.upload",
    ("GET", "/uploads"): "upload.list",
    ("GET", "/uploads.json"): "upload.list",
    ("POST", "/uploads/{dataset_id}/publish"): "dataset.publish",
    ("GET", "/subregion/{hub_code}"): "subregion.view",
    ("GET", "/subregion/{hub_code}.json"): "subregion.view",
    ("GET", "/consult/manage"): "consult.manage",
    ("GET", "/consult/manage.json"): "consult.manage",
    ("POST", "/consult/manage/new"): "consult.manage",
    ("POST", "/consult/manage/import"): "consult.manage",
    ("GET", "/consult/manage/{slug}"): "consult.manage",
    ("GET", "/consult/manage/{slug}.json"): "consult.manage",
    ("POST", "/consult/manage/{slug}"): "consult.manage",
    ("POST", "/consult/manage/{slug}/definition"): "consult.manage",
    ("GET", "/consult/manage/{slug}/definition.yaml"): "consult.manage",
    ("GET", "/consult/manage/{slug}/definition.json"): "consult.manage",
    ("GET", "/consult/manage/{slug}/preview"): "consult.manage",
    ("POST", "/consult/manage/{slug}/preview"): "consult.manage",
    ("POST", "/consult/manage/{slug}/publish"): "consult.manage",
    ("POST", "/consult/manage/{slug}/close"): "consult.manage",
    ("GET", "/consult/manage/{slug}/results"): "consult.results",
    ("GET", "/consult/manage/{slug}/results.json"): "consult.results",
    ("GET", "/consult/manage/{slug}/results/stream"): "consult.results",
    ("GET", "/consult/manage/{slug}/results.csv"): "consult.results",
    ("GET", "/consult/manage/{slug}/results.xlsx"): "consult.results",
    ("POST", "/consult/manage/{slug}/comments/{response_id}"): "consult.manage",
    ("GET", "/consult/manage/{slug}/paper"): "consult.manage",
    ("POST", "/consult/manage/{slug}/paper"): "consult.manage",
    ("POST", "/consult/manage/{slug}/adopted"): "consult.manage",
    ("GET", "/plans"): "plan.list",
    ("GET", "/plans.json"): "plan.list",
    ("GET", "/plans/{slug}"): "plan.view",
    ("GET", "/plans/{slug}.json"): "plan.view",
    ("GET", "/plans/{slug}/plan.xlsx"): "plan.view",
    ("GET", "/plans/{slug}/prevention"): "plan.view",
    ("GET", "/plans/{slug}/prevention.json"): "plan.view",
    ("GET", "/plans/{slug}/assumptions"): "plan.edit",
    ("GET", "/plans/{slug}/assumptions.json"): "plan.edit",
    ("POST", "/plans/{slug}/assumptions"): "plan.edit",
    ("GET", "/residents/{purpose}"): "residents.lookup",
    ("GET", "/residents/{purpose}.json"): "residents.lookup",
    ("POST", "/residents/{purpose}/find"): "residents.lookup",
    ("GET", "/residents/{purpose}/residents/{resident_id}"): "residents.lookup",
    ("GET", "/residents/{purpose}/residents/{resident_id}.json"): "residents.lookup",
    ("GET", "/residents/{purpose}/households/{household_key}"): "residents.lookup",
    ("GET", "/residents/{purpose}/households/{household_key}.json"): "residents.lookup",
    ("GET", "/residents/{purpose}/households"): "residents.aggregate",
    ("GET", "/residents/{purpose}/households.json"): "residents.aggregate",
    ("GET", "/residents/{purpose}/review"): "residents.review",
    ("GET", "/residents/{purpose}/review.json"): "residents.review",
    ("GET", "/residents/{purpose}/review/{pair_key}"): "residents.review",
    ("GET", "/residents/{purpose}/review/{pair_key}.json"): "residents.review",
    ("POST", "/residents/{purpose}/review/{pair_key}"): "residents.review",
}

#: Actions everyone has: no require() dependency is needed on their routes.
OPEN_ACTIONS = frozenset({PUBLIC, "session.sign_in", "consult.preview",
                          "consult.respond"})


def routes(app: Any) -> Iterator[tuple[str, str, Any]]:
    """(method, path, route) for every endpoint, through included routers; HEAD is GET's."""
    yield from _walk(app.routes)


def _walk(items: Any) -> Iterator[tuple[str, str, Any]]:
    for item in items:
        if hasattr(item, "original_router"):
            prefix = getattr(getattr(item, "include_context", None), "prefix", "") or ""
            for method, path, route in _walk(item.original_router.routes):
                yield method, prefix + path, route
            continue
        methods = getattr(item, "methods", None)
        if not methods:  # a mount (/static): files, not routes
            continue
        for method in sorted(methods - {"HEAD"}):
            yield method, item.path, item


def required_actions(route: Any) -> set[str]:
    """The actions named by require() dependencies anywhere in a route's dependency tree."""
    found: set[str] = set()
    stack = list(getattr(getattr(route, "dependant", None), "dependencies", []))
    while stack:
        dependant = stack.pop()
        action = getattr(dependant.call, "action", None)
        if action:
            found.add(action)
        stack.extend(dependant.dependencies)
    return found
