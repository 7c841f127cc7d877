"""Triage failures: reports the worker gave up on until a person asks for a retry."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from childsafe.reports.models import Report


class TriageFailure(models.Model):
    """A report whose triage failed; after ``MAX_TRIAGE_ATTEMPTS`` the worker skips it
    until a person asks for a retry, so one bad report never blocks the queue."""

    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="triage_failure")
    attempts = models.PositiveSmallIntegerField(default=0)
    first_failed_at = models.DateTimeField(default=timezone.now)
    last_failed_at = models.DateTimeField(default=timezone.now)
    # The exception's class name only: messages may quote report contents.
    error = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-last_failed_at", "id"]


MAX_TRIAGE_ATTEMPTS = 3
