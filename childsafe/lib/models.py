"""Model helpers with no domain knowledge."""

from __future__ import annotations

from django.db import models


class AppendOnlyError(RuntimeError):
    """Rows of an append-only table (timelines, checks, the audit trail) cannot be
    changed or deleted."""


class AppendOnlyQuerySet(models.QuerySet):  # type: ignore[type-arg]
    """Refuses bulk updates and deletes."""

    def update(self, **kwargs):  # type: ignore[no-untyped-def]
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only")

    def delete(self):  # type: ignore[no-untyped-def]
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only")


class AppendOnlyModel(models.Model):
    """A row is written once: saving it again or deleting it raises ``AppendOnlyError``."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only")
