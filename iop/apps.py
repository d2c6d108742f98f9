from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IopConfig(AppConfig):
    name = "iop"
    verbose_name = _("IOP cases")

    def ready(self) -> None:
        from . import selectors, workflow

        selectors.register_start_queues()
        workflow.register_demo(key="iop", play="iop.demo.play", order=10)
