from django.db import models


class Hold(models.Model):
    """The test spoke's own data hanging on a case: a hold that refuses its preparation."""

    case = models.OneToOneField("iop.Case", on_delete=models.CASCADE, related_name="spoke_hold")
    reason = models.CharField(max_length=200)

    class Meta:
        permissions = [("see_holds", "Can see the test spoke's holds")]

    def __str__(self) -> str:
        return self.reason
