"""The declaration app's part of a person's data (core.personal_data): their declarations and the
attestations (QR codes) of each. Erasure revokes first (every code's status bit is set, so a
printed code stops working), then removes the rows; the status list keeps only the set bits."""

from __future__ import annotations

from mantelzorg.core import personal_data


def export(user) -> dict:
    from .models import Declaration

    rows = (
        Declaration.objects.filter(caregiver=user)
        .select_related("issuer__organisation")
        .order_by("created_at")
    )
    return {
        "declarations": [
            {
                "id": str(d.pk),
                "relation": d.relation,
                "postcode_area": d.pc4,
                "gemeente": d.municipality_id,
                "care_since": f"{d.care_since:%Y-%m}",
                "hours_per_week": d.hours_per_week,
                "tasks": d.tasks,
                "indications": d.indications,
                "initials": d.initials,
                "birth_day": d.birth_day,
                "birth_month": d.birth_month,
                "valid_from": d.valid_from.isoformat(),
                "valid_until": d.valid_until.isoformat(),
                "created_at": d.created_at.isoformat(),
                "level": d.level,
                "review": d.review,
                "submitted_to": d.issuer.organisation.name if d.issuer else None,
                "question": d.question,
                "answer": d.answer,
                "refusal_reason": d.refusal_reason,
                "replaced_at": d.replaced_at.isoformat() if d.replaced_at else None,
                "revoked_at": d.revoked_at.isoformat() if d.revoked_at else None,
                "attestations": [
                    {
                        "purpose": a.purpose,
                        "created_at": a.created_at.isoformat(),
                        "code": a.code,
                        "code_expires_at": a.code_expires_at.isoformat() if a.code_expires_at else None,
                        "revoked_at": a.revoked_at.isoformat() if a.revoked_at else None,
                    }
                    for a in d.attestations.order_by("created_at", "pk")
                ],
            }
            for d in rows
        ]
    }


def erase(user, request) -> None:
    from . import services

    services.person_erase(user=user, request=request)


PROVIDER = personal_data.Provider(
    app="declaration",
    export=export,
    erase=erase,
    models=("declaration.Declaration",),
)
