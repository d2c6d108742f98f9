"""The value declaration (värdegrundsintyg) as printed for signing: Mora kommun's text
(mora-riktlinje-iop.txt, "Värdegrund"), points 1–6 with 4 a–g and the routine statement.

The English strings are translations of Mora's Swedish wording; each carries the original
in a translators' comment so that the Swedish catalogue gives back Mora's exact text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from .models import Organisation, ValueDeclaration
from .pdf import write_pdf

TITLE = _("Value declaration")
SUBTITLE = _("Democracy condition before an idea-based public partnership (IOP)")

# Translators: Mora's wording: "Undertecknad som representant för %(organisation)s intygar att
# varken organisationen själv, dess ägare, någon av dess underavdelningar eller någon av dess
# företrädare när de agerar inom ramen för organisationens verksamhet:"
INTRO = _(
    "The undersigned, as a representative of %(organisation)s, certifies that neither the "
    "organisation itself, its owners, any of its sub-units nor any of its representatives, "
    "when acting within the framework of the organisation's activity:"
)

# Translators: Mora's wording: "Jag intygar också att organisationen har rutiner för hantering
# av medarbetare som utanför uppdraget agerar på ett sätt som inte stämmer överens med
# ovanstående värdegrund."
ROUTINE_STATEMENT = _(
    "I also certify that the organisation has routines for handling staff who, outside their "
    "assignment, act in a way that does not agree with the values above."
)


@dataclass(frozen=True)
class Point:
    number: str
    field: str
    text: Any
    grounds: tuple = ()


POINTS = (
    # Translators: Mora's wording: "utövar våld, tvång eller hot mot en person"
    Point("1", "no_violence", _("uses violence, coercion or threats against a person")),
    Point(
        "2",
        "no_child_rights_violation",
        # Translators: Mora's wording: "kränker ett barns rättigheter på ett sådant sätt att det
        # finns en risk för att barnets hälsa eller utveckling skadas"
        _(
            "violates a child's rights in such a way that there is a risk that the child's "
            "health or development is harmed"
        ),
    ),
    Point(
        "3",
        "no_exploitation",
        # Translators: Mora's wording: "kränker en persons grundläggande fri- och rättigheter
        # genom utnyttjande av en utsatt belägenhet"
        _(
            "violates a person's fundamental rights and freedoms by exploiting a vulnerable situation"
        ),
    ),
    Point(
        "4",
        "no_discrimination",
        # Translators: Mora's wording: "diskriminerar eller kränker individer eller grupper eller
        # på annat sätt bryter mot principen om alla människors lika värde utifrån"
        _(
            "discriminates against or violates individuals or groups, or in any other way breaks "
            "the principle of the equal worth of all people, on grounds of"
        ),
        (
            # Translators: Mora's wording: "Kön eller könsöverskridande identitet och uttryck"
            ("a", _("sex or transgender identity and expression")),
            # Translators: Mora's wording: "Etnisk tillhörighet"
            ("b", _("ethnicity")),
            # Translators: Mora's wording: "Religion eller annan trosuppfattning"
            ("c", _("religion or other belief")),
            # Translators: Mora's wording: "Funktionsnedsättning"
            ("d", _("disability")),
            # Translators: Mora's wording: "Sexuell läggning"
            ("e", _("sexual orientation")),
            # Translators: Mora's wording: "Ålder"
            ("f", _("age")),
            # Translators: Mora's wording: "Politisk åskådning"
            ("g", _("political opinion")),
        ),
    ),
    Point(
        "5",
        "no_incitement",
        # Translators: Mora's wording: "försvarar, främjar eller uppmanar till sådana ageranden
        # som anges i 1–4"
        _("defends, promotes or incites such acts as are set out in 1–4"),
    ),
    # Translators: Mora's wording: "motarbetar det demokratiska styrelseskicket"
    Point("6", "no_anti_democracy", _("works against the democratic form of government")),
)


def declaration_context(
    *, organisation: Organisation, declaration: ValueDeclaration | None = None
) -> dict[str, Any]:
    points = [
        {
            "number": p.number,
            "text": p.text,
            "grounds": p.grounds,
            "confirmed": bool(declaration and getattr(declaration, p.field)),
        }
        for p in POINTS
    ]
    return {
        "organisation": organisation,
        "declaration": declaration,
        "intro": INTRO % {"organisation": organisation.name},
        "points": points,
        "routine_statement": ROUTINE_STATEMENT,
        "routines_confirmed": bool(declaration and declaration.has_routines),
    }


def render_declaration_html(
    *, organisation: Organisation, declaration: ValueDeclaration | None = None
) -> str:
    return render_to_string(
        "partners/pdf/value_declaration.html",
        declaration_context(organisation=organisation, declaration=declaration),
    )


def render_declaration_pdf(
    *, organisation: Organisation, declaration: ValueDeclaration | None = None
) -> bytes:
    """The declaration as an A4 PDF/A (tagged, see ``partners.pdf``): blank for signing, or
    filled with ``declaration``; by the organisation that declares."""
    html = render_declaration_html(organisation=organisation, declaration=declaration)
    return write_pdf(
        html,
        title=f"{TITLE} – {organisation.name}",
        author=organisation.name,
        subject=str(SUBTITLE),
    )
