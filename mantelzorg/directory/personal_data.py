"""The sociale kaart keeps no data about a person, only who last saved a gemeente's menukaart
(core.personal_data): exported, and emptied on erasure."""

from __future__ import annotations

from mantelzorg.core import personal_data


def export(user) -> dict:
    from .models import RespiteMenu

    return {
        "menukaarten_last_saved": sorted(
            RespiteMenu.objects.filter(updated_by=user).values_list("municipality_id", flat=True)
        )
    }


def erase(user, request) -> None:
    from .models import RespiteMenu

    RespiteMenu.objects.filter(updated_by=user).update(updated_by=None)


PROVIDER = personal_data.Provider(
    app="directory", export=export, erase=erase, models=("directory.RespiteMenu",)
)
