"""The committee's pages in the case's workflow: each screen module registers its action
pages, case-page panel and start-page queues."""

from __future__ import annotations


def register() -> None:
    from .views import documents, matters, meetings, recording

    for screen in (matters, documents, meetings, recording):
        screen.register()
