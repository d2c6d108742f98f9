"""URLs of agreements: under a case (/arenden/<case>/avtal/…) and the jurist's queue.

Each views module declares its own routes in ``urls``; this module puts them together."""

from .views import agreement, budget, drafting, pdf, review, signing, versions, wording

app_name = "agreements"
urlpatterns: list = [
    *agreement.urls,
    *drafting.urls,
    *budget.urls,
    *wording.urls,
    *review.urls,
    *versions.urls,
    *signing.urls,
    *pdf.urls,
]
