from .models import Hold

SEE_HOLDS = "spoke.see_holds"


def not_held(case) -> bool:
    return not Hold.objects.filter(case_id=case.pk).exists()


def panel_context(request, case) -> dict:
    return {"hold": Hold.objects.filter(case=case).first()}


def held_queue(user, visible):
    if not user.has_perm(SEE_HOLDS):
        return None
    return visible.filter(spoke_hold__isnull=False)
