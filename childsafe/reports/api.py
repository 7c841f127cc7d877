"""API of the reports app: submit a report, look up its public status.

``POST /api/v1/reports`` takes JSON (no files) or multipart form data (fields plus
``files``), with or without a token: token holders need ``report.api_submit``;
anonymous callers are rate-limited per address. An ``Idempotency-Key`` header makes
retries safe: the same key with the same report answers the same 201 (same tracking
code, same access key) without storing a second report; the same key with a different
report answers 422.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pydantic
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError, ValidationError
from pydantic import ConfigDict

from childsafe.lib.ratelimit import address_key, client_address, ratelimit_hit
from childsafe.orgs.access import OptionalTokenAuth
from childsafe.orgs.roles import Perm
from childsafe.reports.models import (
    DESCRIPTION_MAX_CHARS,
    MAX_URLS_PER_REPORT,
    PLATFORM_MAX_CHARS,
    SHORT_TEXT_MAX_CHARS,
    AgeGroup,
    Category,
    Channel,
    PublicStatus,
    ReporterRelation,
)
from childsafe.reports.services import ReportError, report_public_status, report_submit

router = Router(tags=["reports"])

IDEMPOTENCY_HEADER = "Idempotency-Key"


def _enum(values: list[str]) -> dict[str, Any]:
    return {"enum": values}


class ReportIn(Schema):
    """A report. With multipart form data, send ``urls`` once per address and the
    evidence as ``files`` (repeat for several files)."""

    model_config = ConfigDict(extra="forbid")

    category: str = Field(json_schema_extra=_enum(Category.values))
    urls: list[str] = Field(default_factory=list, max_length=MAX_URLS_PER_REPORT)
    platform: str = Field("", max_length=PLATFORM_MAX_CHARS)
    description: str = Field("", max_length=DESCRIPTION_MAX_CHARS)
    occurred_on: dt.date | None = None
    child_age_group: str = Field(AgeGroup.UNKNOWN.value, json_schema_extra=_enum(AgeGroup.values))
    child_in_danger: bool = False
    child_name: str = Field("", max_length=SHORT_TEXT_MAX_CHARS)
    child_school: str = Field("", max_length=SHORT_TEXT_MAX_CHARS)
    reporter_relation: str = Field("", json_schema_extra=_enum(["", *ReporterRelation.values]))
    reporter_name: str = Field("", max_length=SHORT_TEXT_MAX_CHARS)
    reporter_contact: str = Field("", max_length=SHORT_TEXT_MAX_CHARS)
    reporter_wants_updates: bool | None = Field(
        None,
        description="Whether the reporter wants e-mails when the status changes; when "
        "omitted, leaving an e-mail address counts as yes.",
    )
    consent_given: bool = False
    consent_text_version: str = Field("", max_length=16)


class ReceiptOut(Schema):
    tracking_code: str
    access_key: str = Field(description="Shown once: only a digest of it is stored.")
    status_url: str = Field(description="Where the reporter enters the code and the key.")


class StatusOut(Schema):
    tracking_code: str
    status: str = Field(json_schema_extra=_enum(PublicStatus.values))
    status_label: str
    received_on: dt.date


def _request_body_doc() -> dict[str, Any]:
    schema = ReportIn.model_json_schema()
    multipart = {
        **schema,
        "properties": {
            **schema["properties"],
            "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
        },
    }
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": schema},
                "multipart/form-data": {"schema": multipart},
            },
        },
        "parameters": [
            {
                "in": "header",
                "name": IDEMPOTENCY_HEADER,
                "required": False,
                "schema": {"type": "string", "maxLength": 128},
                "description": "Any unique string (a UUID): a retry with the same key and "
                "the same report answers the first answer again.",
            }
        ],
        # Added to the token requirement ninja writes: anonymous callers are welcome too.
        "security": [{}],
        "responses": _error_responses(
            {
                401: "The token sent is not valid (anonymous calls send no token).",
                403: "The token's role may not submit reports.",
                413: "The request is too large.",
                415: "The body is neither JSON nor multipart/form-data.",
                422: "A field is not valid: `errors` names it.",
                429: "Too many anonymous submissions from this address; see Retry-After.",
            }
        ),
    }


def _error_responses(descriptions: dict[int, str]) -> dict[str, Any]:
    detail = {"type": "object", "properties": {"detail": {"type": "string"}}}
    return {
        str(code): {
            "description": text,
            "content": {"application/json": {"schema": detail}},
        }
        for code, text in descriptions.items()
    }


@router.post(
    "/reports",
    response={201: ReceiptOut},
    auth=OptionalTokenAuth(Perm.REPORT_API_SUBMIT),
    openapi_extra=_request_body_doc(),
    summary="Submit a report",
)
def report_create(request: HttpRequest) -> Any:
    user: Any = request.auth  # type: ignore[attr-defined]
    user = user if user.is_authenticated else None
    address = client_address(request)
    if user is None:
        limited = _rate_limited("report-submit", address, settings.REPORT_SUBMIT_RATE_PER_HOUR)
        if limited is not None:
            return limited
    raw, files = _read_body(request)
    try:
        payload = ReportIn.model_validate(raw)
    except pydantic.ValidationError as exc:
        raise ValidationError(exc.errors(include_url=False, include_context=False)) from None
    try:
        report, access_key = report_submit(
            channel=Channel.API,
            data=payload.model_dump(),
            files=files,
            actor=user,
            idempotency_scope=f"user:{user.pk}" if user else f"ip:{address_key(address)}",
            idempotency_key=request.headers.get(IDEMPOTENCY_HEADER, "").strip(),
        )
    except ReportError as exc:
        raise ValidationError(
            [
                {
                    "loc": [IDEMPOTENCY_HEADER if field == "idempotency_key" else field],
                    "msg": message,
                }
                for field, messages in exc.errors.items()
                for message in messages
            ]
        ) from None
    return {
        "tracking_code": report.tracking_code,
        "access_key": access_key,
        "status_url": request.build_absolute_uri(reverse("reports-report-status")),
    }


@router.get(
    "/reports/status",
    response=StatusOut,
    auth=OptionalTokenAuth(Perm.REPORT_API_SUBMIT),
    summary="Public status of a report",
    openapi_extra={
        "security": [{}],
        "responses": _error_responses(
            {
                404: "No report matches this tracking code and key.",
                429: "Too many anonymous lookups from this address; see Retry-After.",
            }
        ),
    },
)
def report_status(
    request: HttpRequest,
    code: str = Query(..., max_length=32),
    key: str = Query(..., max_length=64),
) -> Any:
    user: Any = request.auth  # type: ignore[attr-defined]
    if not user.is_authenticated:
        limited = _rate_limited(
            "report-status", client_address(request), settings.REPORT_STATUS_RATE_PER_HOUR
        )
        if limited is not None:
            return limited
    status = report_public_status(code, key)
    if status is None:
        raise HttpError(404, _("No report matches this tracking code and key."))
    return status


def _read_body(request: HttpRequest) -> tuple[dict[str, Any], list[Any]]:
    """The submitted fields and files, from JSON or multipart form data."""
    content_type = request.content_type or ""
    try:
        if content_type == "application/json":
            try:
                body = json.loads(request.body or b"null")
            except (ValueError, UnicodeDecodeError):
                raise ValidationError(
                    [{"loc": [], "msg": _("The body is not valid JSON.")}]
                ) from None
            if not isinstance(body, dict):
                raise ValidationError([{"loc": [], "msg": _("The body must be a JSON object.")}])
            return body, []
        if content_type == "multipart/form-data":
            fields: dict[str, Any] = {}
            for name in request.POST:
                values = [v for v in request.POST.getlist(name) if v != ""]
                if name == "urls":
                    fields[name] = [line for v in values for line in v.splitlines()]
                elif values:
                    fields[name] = values[-1]
            unknown = sorted(set(request.FILES) - {"files"})
            if unknown:
                raise ValidationError(
                    [{"loc": [n], "msg": _("Send files under the name “files”.")} for n in unknown]
                )
            return fields, request.FILES.getlist("files")
    except RequestDataTooBig:
        raise HttpError(413, _("The request is too large.")) from None
    except (SuspiciousOperation, MultiPartParserError):
        raise HttpError(400, _("The request could not be read.")) from None
    raise HttpError(415, _("Send JSON (application/json) or multipart/form-data."))


def _rate_limited(scope: str, address: str, limit: int) -> JsonResponse | None:
    verdict = ratelimit_hit(scope, address, limit=limit)
    if verdict.allowed:
        return None
    response = JsonResponse(
        {"detail": _("Too many requests from this address. Try again later.")}, status=429
    )
    response["Retry-After"] = str(verdict.retry_after_secs)
    return response
