from django.db import transaction

from mantelzorg.core import audit

from .models import Role, User


def user_register_caregiver(*, request, email: str, password: str, name: str = "") -> User:
    with transaction.atomic():
        user = User.objects.create_user(email=email, password=password, name=name, role=Role.CAREGIVER)
        audit.log(
            request=request,
            actor=user,
            action="accounts.user.registered",
            obj=user,
            subject=user,
            purpose="account",
        )
    return user
