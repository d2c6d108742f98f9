from __future__ import annotations

from django.db import models
from django.db.models import Count, Exists, OuterRef, Q

from . import permissions
from .validators import normalise_org_number


class OrganisationQuerySet(models.QuerySet):
    def for_user(self, user) -> OrganisationQuerySet:
        """The organisations this user may see: every staff role reads every organisation
        (public records), anyone else none. The one place row visibility is decided."""
        if permissions.can_view_organisations(user):
            return self.all()
        return self.none()

    def search(self, query: str) -> OrganisationQuerySet:
        """Name or city containing the words, or an organisation number typed with or
        without the hyphen (a part of it is enough)."""
        # PostgreSQL refuses a NUL byte in a text parameter (a server error, not "no match").
        query = (query or "").replace("\x00", "").strip()
        if not query:
            return self
        condition = Q(name__icontains=query) | Q(city__icontains=query)
        digits = normalise_org_number(query)
        if digits.isdigit():
            condition |= Q(org_number__contains=digits)
        return self.filter(condition)

    def with_list_data(self) -> OrganisationQuerySet:
        """What a list row shows, as columns of the one query: the number of cases and
        whether a complete, signed value declaration exists."""
        from .models import ValueDeclaration

        signed = ValueDeclaration.objects.filter(
            organisation=OuterRef("pk"), **dict.fromkeys(ValueDeclaration.POINT_FIELDS, True)
        ).exclude(signatory_name="")
        return self.annotate(
            case_count=Count("cases", distinct=True),
            has_signed_declaration=Exists(signed),
        )
