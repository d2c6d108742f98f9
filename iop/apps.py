from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IopConfig(AppConfig):
    name = "iop"
    verbose_name = _("IOP cases")
