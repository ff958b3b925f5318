from typing import Any

from django.http import HttpRequest

from keepitlocal.accounts import access


def site(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "service_name": "Keep it Local Network",
        "is_network_admin": access.is_network_admin(user),
        "signed_in": bool(user and user.is_authenticated),
        # GOV.UK Frontend's template puts it on its inline script (web.middleware's Content-Security-Policy).
        "cspNonce": getattr(request, "csp_nonce", ""),
    }
