"""The resident budget simulator, in preview: a consultation definition shown exactly as a
resident would see it. Nothing is stored (the page says so).

GET  /consult/preview?file=NAME[&lang=cy]   the simulator, every line at no change
POST /consult/preview                        the form recalculated on the server (no JavaScript)
GET  /consult/preview.json?file=NAME         its JSON twin: the definition and the outcome
POST /consult/preview.json                   {"file", "response"}: the outcome and every rule
                                             broken (application/json only; nothing stored)
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from wholeplace.consult import (
    Consultation,
    Outcome,
    Violation,
    check_response,
    definition_data,
    later,
    parse_response,
)
from wholeplace.consult import Response as Answer
from wholeplace.errors import InputError
from wholeplace.web import consult_later as later_web
from wholeplace.web import consult_page as page
from wholeplace.web import csrf
from wholeplace.web.i18n import HTML_LANG, LANGUAGES, environment, gettext_for, language
from wholeplace.web.render import as_json

router = APIRouter(include_in_schema=False)

#: The largest form the simulator accepts (bytes); anything bigger is refused unread.
MAX_FORM_BYTES = 64 * 1024


def _render(request: Request, lang: str, c: Consultation, form: dict[str, str],
            outcome: Outcome, violations: list[Violation], field_errors: dict[str, str],
            checked: bool, status_code: int = 200, answer: Answer | None = None,
            action: str = "/consult/preview") -> HTMLResponse:
    _ = gettext_for(lang).gettext
    token = csrf.token_for(request)
    context: dict[str, Any] = page.view(c, form, outcome, violations, field_errors, _, checked)
    found, problems = later_web.profiles_for(request, c)
    context.update(
        later=later_web.page_view(c, (answer or Answer()).line_changes, found, problems, _),
        form_action=action,
        request=request, path=request.url.path, lang=lang, html_lang=HTML_LANG[lang],
        languages=LANGUAGES, file=form.get("file", ""), csrf_field=csrf.FIELD,
        csrf_token=token, definition_json=_script_json(definition_data(c)),
        json_url=f"/consult/preview.json?file={form.get('file', '')}")
    html = environment(lang).get_template("consult/preview.html").render(**context)
    response = HTMLResponse(html, status_code=status_code)
    csrf.set_cookie(request, response, token)
    return response


def _script_json(data: Any) -> str:
    """JSON safe inside a <script> element (no "</script>", no HTML comment openers)."""
    import json

    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@router.get("/consult/preview", response_class=HTMLResponse)
def preview(request: Request, file: str = Query(..., max_length=80),
            lang: str | None = Query(None, max_length=5),
            band: str | None = Query(None, max_length=1)) -> Response:
    code = language(lang)
    c = page.load_named(file)
    outcome, violations = check_response(c, Answer())
    form = {"file": file, "band": band or "D"}
    return _render(request, code, c, form, outcome, violations, {}, checked=False)


async def _read_text(request: Request) -> str:
    """The request body as text: refused when over MAX_FORM_BYTES or not UTF-8."""
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > MAX_FORM_BYTES):
        raise InputError(f"The form is too large (over {MAX_FORM_BYTES // 1024} KB).")
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise InputError(f"The form is too large (over {MAX_FORM_BYTES // 1024} KB).")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError("The form is not UTF-8 text.") from exc


async def _read_form(request: Request) -> FormData:
    await _read_text(request)
    return await request.form()


@router.post("/consult/preview", response_class=HTMLResponse)
async def preview_post(request: Request) -> Response:
    data = await _read_form(request)
    form = {k: v for k, v in data.items() if isinstance(v, str)}
    csrf.check(request, form.get(csrf.FIELD))
    lang = language(form.get("lang"))
    c = page.load_named(form.get("file", ""))
    answer, field_errors = page.parse_form(c, form, gettext_for(lang).gettext)
    outcome, violations = check_response(c, answer)
    ok = not field_errors and not violations
    return _render(request, lang, c, form, outcome, violations, field_errors, checked=True,
                   status_code=200 if ok else 422, answer=answer)


def _violations(found: list[Violation]) -> list[dict[str, str]]:
    return [{"field": v.field, "code": v.code, "message": v.message} for v in found]


@router.get("/consult/preview.json")
def preview_json(file: str = Query(..., max_length=80)) -> Response:
    c = page.load_named(file)
    outcome, violations = check_response(c, Answer())
    return as_json({"preview": True, "recorded": False,
                    "note": "Preview: responses are not recorded.",
                    "definition": definition_data(c), "outcome": outcome.to_dict(),
                    "violations": _violations(violations)})


@router.post("/consult/preview.json")
async def preview_json_post(request: Request) -> Response:
    import json

    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise InputError("Send the response as JSON (Content-Type: application/json).")
    text = await _read_text(request)
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"The body is not valid JSON: {exc.msg} at character {exc.pos}.") from exc
    if not isinstance(body, dict) or not isinstance(body.get("file"), str):
        raise InputError('Send {"file": NAME, "response": {...}}.')
    c = page.load_named(body["file"])
    answer = parse_response(body.get("response", {}))
    outcome, violations = check_response(c, answer)
    found, problems = later_web.profiles_for(request, c)
    return as_json({"preview": True, "recorded": False, "accepted": not violations,
                    "outcome": outcome.to_dict(), "violations": _violations(violations),
                    "later_costs": [lc.to_dict() for lc in later.later_costs(
                        c, answer.line_changes, found)],
                    "later_costs_unavailable": sorted(problems.values())},
                   status_code=200 if not violations else 422)
