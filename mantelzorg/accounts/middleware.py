import time

from django.conf import settings
from django.contrib.auth import logout

from mantelzorg.core import audit


class StaffSessionMiddleware:
    """Two rules for accounts that need MFA (professionals, staff, coordinators, admins):

    1. an authenticated session without a verified second factor is ended at once;
    2. a session idle for longer than ``STAFF_IDLE_TIMEOUT_SECONDS`` is ended.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.requires_mfa:
            now = int(time.time())
            last = request.session.get("last_seen", now)
            idle = now - last > settings.STAFF_IDLE_TIMEOUT_SECONDS
            if idle or not user.is_verified():
                audit.log(
                    request=request,
                    action="accounts.session.ended",
                    obj=user,
                    subject=user,
                    purpose="idle timeout" if idle else "no verified second factor",
                )
                logout(request)
            else:
                request.session["last_seen"] = now
        return self.get_response(request)
