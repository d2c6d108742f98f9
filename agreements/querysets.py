"""Reusable reads of agreements. Row visibility is said once per model, in ``for_user``: the
agreements and versions a user sees are those of the cases ``Case.objects.for_user`` gives."""

from __future__ import annotations

from typing import Any

from django.db import models

from iop.models import Case


class AgreementQuerySet(models.QuerySet):
    def for_user(self, user: Any) -> AgreementQuerySet:
        return self.filter(case__in=Case.objects.for_user(user))


class AgreementVersionQuerySet(models.QuerySet):
    def for_user(self, user: Any) -> AgreementVersionQuerySet:
        return self.filter(agreement__case__in=Case.objects.for_user(user))
