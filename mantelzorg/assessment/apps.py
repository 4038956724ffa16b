from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "mantelzorg.assessment"
    label = "assessment"

    def ready(self):
        from mantelzorg.accounts import consent
        from mantelzorg.accounts.models import Role
        from mantelzorg.core import personal_data

        from .personal_data import PROVIDER

        personal_data.register(PROVIDER)

        consent.register(
            consent.Scope(
                code=BALANCE_HISTORY,
                app=self.label,
                label=_("My saved balance checks"),
                description=_(
                    "Your saved balance checks: your answers, your level and how they change over time."
                ),
                purposes=(FOLLOW_UP,),
                grantee_roles=(Role.PROFESSIONAL,),
            )
        )


# Consent scope and purpose of this app (accounts.consent): a professional follows the saved checks.
BALANCE_HISTORY = "balance_history"
FOLLOW_UP = "follow-up"
