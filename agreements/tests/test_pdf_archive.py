"""The agreement printed for the archive: PDF/A-2a, tagged, titled and by the public body."""

from __future__ import annotations

import pytest

from partners.pdf import pdf_text
from partners.tests.test_pdf_archive import assert_archival

from ..pdf import AGREEMENT_TITLE, render_agreement_pdf, version_mark
from .factories import agreement_at, complete_draft


@pytest.mark.parametrize("state", ["draft", "signed"])
def test_the_agreement_is_an_archival_pdf_by_the_public_body(db, state):
    version = complete_draft() if state == "draft" else agreement_at(None, state)
    case = version.agreement.case
    data = render_agreement_pdf(version)

    assert_archival(
        data,
        title=f"{AGREEMENT_TITLE} – {case.registry_number} – {version_mark(version)}",
        author=case.public_body.name,
    )
    assert case.registry_number in pdf_text(data)
