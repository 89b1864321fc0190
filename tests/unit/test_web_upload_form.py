"""The web upload's own checks (pure): file names made safe, the form's problems by field, and
the body limit on a body sent without a declared length."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from wholeplace.web.upload_limit import BodyLimit
from wholeplace.web.uploads import UploadedFile, UploadRequest, check_form, safe_name


def test_safe_name_keeps_the_name_and_drops_folders_and_odd_characters():
    assert safe_name("recycling 2024.csv", "upload") == "recycling-2024.csv"
    assert safe_name("C:\\Users\\me\\data.XLSX", "upload") == "data.xlsx"
    assert safe_name("../../etc/passwd", "upload") == "passwd"
    assert safe_name("<script>.csv", "upload") == "script.csv"
    assert safe_name("", "upload") == "upload"


def test_the_form_s_problems_name_their_fields():
    good = UploadedFile("a.csv", b"area_code,period,indicator_id,value\n")
    assert check_form(UploadRequest(good, None)) == []
    fields = [f for f, _ in check_form(UploadRequest(
        None, UploadedFile("m.txt", b"x"), title="t" * 201, released_on="1/2/2024"))]
    assert fields == ["data", "metadata", "title", "released_on"]
    wrong = check_form(UploadRequest(UploadedFile("a.xlsx", b"not a zip"), None))
    assert wrong == [("data", wrong[0][1])] and "not an Excel workbook" in wrong[0][1]


def test_a_body_without_a_length_is_cut_off_at_the_limit_and_answered_413():
    reached: list[str] = []

    async def app(scope, receive, send):
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                reached.append("disconnected")
                raise RuntimeError("client disconnected")
            if not message.get("more_body"):
                reached.append("whole body")  # must not happen: nothing may be loaded
                return

    sent: list[dict] = []
    chunks = [{"type": "http.request", "body": b"x" * 1000, "more_body": True}] * 5

    async def receive():
        return chunks.pop() if chunks else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    state = SimpleNamespace(settings=SimpleNamespace(upload_max_bytes=2500))
    scope = {"type": "http", "method": "POST", "path": "/upload.json", "headers": [],
             "app": SimpleNamespace(state=state), "query_string": b""}
    asyncio.run(BodyLimit(app, frozenset({"/upload.json"}))(scope, receive, send))
    assert reached == ["disconnected"]
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 413
    assert b"larger than" in b"".join(m.get("body", b"") for m in sent[1:])
