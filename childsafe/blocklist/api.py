"""Officer API of the authority list, at ``/api/v1/blocklist/`` (``blocklist.manage``).

- ``POST /api/v1/blocklist/entries``: add up to 10,000 entries by hand in one call, all
  or nothing: 201 with the new ids and the zone's serial, or 422 with one error per
  refused item (``field`` is ``payload.entries.<index>.<field>``, as for a malformed
  item) and nothing saved.
- ``POST /api/v1/blocklist/entries/{entry_id}/lift``: lift an entry with a decision;
  409 when it is no longer active.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError, ValidationError
from pydantic import BaseModel, ConfigDict

from childsafe.blocklist import services
from childsafe.blocklist.access import get_entry_for_user
from childsafe.blocklist.zones import AUTHORITY_ZONE, zone_serial
from childsafe.orgs.access import TokenAuth
from childsafe.orgs.roles import Perm
from childsafe.reports.models import Category

router = Router(tags=["blocklist"])

REASONS: dict[str, Any] = {"enum": Category.values}


class EntryIn(BaseModel):
    # A plain pydantic model, not a ninja ``Schema``: ``Schema`` runs a Python validator
    # on each item (to read Django objects): 3 ms of CPU for 100 items, against 0.3 ms.
    model_config = ConfigDict(extra="forbid")

    value: str = Field(
        max_length=2048,
        description="A domain (`example.com`; `*.example.com` is the same: a domain "
        "blocks every name below it) or a web address (`https://example.com/page`, for "
        "the JSON feed only). Internationalised names are stored in punycode.",
    )
    reason: str = Field(json_schema_extra=REASONS)
    note: str = Field("", max_length=services.NOTE_MAX_CHARS, description="No personal data.")
    review_on: dt.date = Field(description="A date in the future.")
    expires_at: dt.datetime | None = Field(
        None, description="In the future; without a time zone, Vietnam's time."
    )


class EntriesIn(Schema):
    model_config = ConfigDict(extra="forbid")

    entries: list[EntryIn] = Field(min_length=1, max_length=services.MAX_BULK_ENTRIES)


class EntriesOut(Schema):
    ids: list[int] = Field(description="The new entries' ids, in the order sent.")
    serial: int = Field(description="The authority zone's serial after the change.")


class LiftIn(Schema):
    model_config = ConfigDict(extra="forbid")

    decision: str = Field(min_length=1, max_length=services.DECISION_MAX_CHARS)


class LiftOut(Schema):
    id: int
    lifted_at: dt.datetime
    serial: int


@router.post(
    "/entries",
    response={201: EntriesOut},
    auth=TokenAuth(Perm.BLOCKLIST_MANAGE),
    summary="Add entries to the authority list",
)
def entries_create(request: HttpRequest, payload: EntriesIn) -> Any:
    try:
        entries = services.entries_add_bulk(
            actor=request.auth,  # type: ignore[attr-defined]
            items=payload.model_dump()["entries"],
        )
    except services.BulkEntryError as exc:
        raise ValidationError(
            [
                {"loc": ["body", "payload", "entries", index, field or "value"], "msg": message}
                for index, field, message in exc.errors
            ]
        ) from None
    return Status(201, {"ids": [e.pk for e in entries], "serial": zone_serial(AUTHORITY_ZONE)})


@router.post(
    "/entries/{entry_id}/lift",
    response={200: LiftOut},
    auth=TokenAuth(Perm.BLOCKLIST_MANAGE),
    summary="Lift an entry of the authority list",
)
def entry_lift(request: HttpRequest, entry_id: int, payload: LiftIn) -> Any:
    user: Any = request.auth  # type: ignore[attr-defined]
    entry = get_entry_for_user(user, entry_id)
    try:
        services.entry_lift(entry, actor=user, decision=payload.decision)
    except services.BlocklistError as exc:
        if exc.code == "inactive":
            raise HttpError(409, exc.message) from None
        raise ValidationError(
            [{"loc": ["body", "payload", exc.field], "msg": exc.message}]
        ) from None
    return {"id": entry.pk, "lifted_at": entry.lifted_at, "serial": zone_serial(AUTHORITY_ZONE)}
