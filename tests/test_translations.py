"""The UI is Swedish: every source string has a Swedish translation, and pages render in it."""

from pathlib import Path

import pytest

from django.conf import settings
from django.urls import reverse

PO = Path(settings.BASE_DIR) / "locale" / "sv" / "LC_MESSAGES" / "django.po"


def _entries():
    # A small reader of the .po file's blank-line-separated entries (polib is not a
    # dependency of the product).
    entries: list[list[str]] = []
    block: list[str] = []
    for line in PO.read_text(encoding="utf-8").splitlines() + [""]:
        if line.strip():
            block.append(line)
            continue
        if block:
            entries.append(block)
        block = []
    return entries


def _value(block: list[str], key: str) -> str:
    out, on = [], False
    for line in block:
        if line.startswith(key + " "):
            on = True
            out.append(line[len(key) + 1 :].strip('"'))
        elif on and line.startswith('"'):
            out.append(line.strip('"'))
        else:
            on = False
    return "".join(out)


def test_every_string_is_translated_and_none_is_fuzzy():
    untranslated, fuzzy = [], []
    for block in _entries()[1:]:
        if any(line.startswith("#~") for line in block):
            continue  # obsolete
        msgid = _value(block, "msgid")
        if any(line.startswith("#,") and "fuzzy" in line for line in block):
            fuzzy.append(msgid)
        plural = any(line.startswith("msgid_plural") for line in block)
        values = (
            [_value(block, "msgstr[0]"), _value(block, "msgstr[1]")]
            if plural
            else [_value(block, "msgstr")]
        )
        if not all(values):
            untranslated.append(msgid)
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.django_db
def test_the_login_page_is_in_swedish(client):
    html = client.get(reverse("login")).content.decode()
    assert 'lang="sv"' in html
    assert "Logga in" in html
    assert "Användarnamn" in html and "Lösenord" in html
