"""Append-only, hash-chained audit events.

An event is written in the transaction of the change it records. Most services link it
into the hash chain there and then (``seq``, ``prev_hash`` and ``hash`` set on insert);
report submission, the one hot path, writes it unlinked and the linker
(``childsafe.audit.services.audit_link_pending``) fills in those three fields once,
seconds later. ``childsafe/audit/services.py`` explains the trade-off.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connections, models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from childsafe.lib.models import AppendOnlyError


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs):  # type: ignore[no-untyped-def]
        raise AppendOnlyError("audit events are append-only")

    def delete(self):  # type: ignore[no-untyped-def]
        raise AppendOnlyError("audit events are append-only")

    def link_unlinked(self, links: dict[int, tuple[int, str, str]]) -> int:
        """Fill in ``seq``, ``prev_hash`` and ``hash`` of still unlinked events (``links``
        maps an event's id to them); answers how many rows changed. The only write an
        event ever takes after its insert, and only while ``seq`` is empty: the linker's."""
        if not links:
            return 0
        table = connections[self.db].ops.quote_name(self.model._meta.db_table)
        with connections[self.db].cursor() as cursor:
            # One statement, many parameter rows (psycopg pipelines them).
            cursor.executemany(
                f"UPDATE {table} SET seq = %s, prev_hash = %s, hash = %s"  # noqa: S608
                " WHERE id = %s AND seq IS NULL",
                [(seq, prev, digest, pk) for pk, (seq, prev, digest) in links.items()],
            )
            return int(cursor.rowcount)


class AuditEvent(models.Model):
    """One thing that happened. ``hash`` covers this row and the previous hash.

    ``seq`` runs 1, 2, 3... without gaps, so a deleted row shows as a gap even
    when the chain is re-hashed by hand. An event written unlinked has no ``seq`` and
    empty hashes until the linker links it (in the order it finds them committed).
    """

    seq = models.BigIntegerField(unique=True, null=True, blank=True)
    at = models.DateTimeField(db_index=True)
    # DO_NOTHING without a database constraint: removing a user must never
    # rewrite the trail (the hash covers actor_id).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(max_length=150, blank=True)
    actor_org_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        # Newest first; events not linked yet are the newest.
        ordering = [F("seq").desc(nulls_first=True), "-id"]
        verbose_name = _("audit event")
        indexes = [
            # What the linker looks for: stays tiny, as events are linked within seconds.
            models.Index(fields=["id"], condition=Q(seq__isnull=True), name="audit_event_unlinked")
        ]

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        # A constraint, not logic: once written, an event never changes.
        if not self._state.adding:
            raise AppendOnlyError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise AppendOnlyError("audit events are append-only")


class AuditChainHead(models.Model):
    """The single row locked while linking events, so the chain never forks."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
