"""The rule the killed-worker test relies on, without processes: a package left running by a
lost delivery is taken over by the same delivery again, and by no other."""

from __future__ import annotations

import pytest

from decisions.constants import PackageStatus
from decisions.models import MeetingPackage
from decisions.services import package as packages
from decisions.tests.factories import meeting_of
from iop.tests.factories import CommitteeFactory

pytestmark = [pytest.mark.faults, pytest.mark.django_db]


def test_only_the_same_delivery_takes_over_a_package_left_running(secretary):
    package = MeetingPackage.objects.create(meeting=meeting_of(CommitteeFactory()))
    # The first delivery claims it, and its worker dies: the claim stays.
    assert packages._claim(package.pk, "delivery-1") is not None

    # Another message (a second click, a duplicate) leaves it to its owner …
    assert packages._claim(package.pk, "delivery-2") is None
    # … the same message redelivered (its worker was lost) takes over.
    assert packages._claim(package.pk, "delivery-1") is not None
    assert MeetingPackage.objects.get(pk=package.pk).status == PackageStatus.RUNNING

    MeetingPackage.objects.filter(pk=package.pk).update(status=PackageStatus.DONE)
    assert packages._claim(package.pk, "delivery-1") is None  # made: nothing more
