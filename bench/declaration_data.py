#!/usr/bin/env python3
"""Build the MZ1 verification benchmark data (issue 14) and write the request mixes for ``run.py``.

In the database the environment names: two status lists of the default size (2^17 entries) with
about 2 % of their bits set (revoked), and one confirming organisation (a steunpunt), whose name a
valid confirmed code shows. Beside it a benchmark keyring (``--keys``, mode 0600) that was rotated
once: an active key and a retired one that still verifies, as after ``declaration_keys rotate``.

Then ``--codes`` codes, freshly signed so that "valid" is valid at bench time (each valid one at its
own status index, every purpose), in a fixed mix (``MIX``): mostly valid codes, as at a counter,
and the other outcomes a verifier meets: expired, revoked (its bit set in the database), not genuine
(one byte of the signed payload changed; an unknown key under an unknown kid; another key under the
published kid), malformed (no MZ1 prefix, cut off, not base45, empty). Written as

* ``<out>.api.jsonl``: one ``{"code": "MZ1:..."}`` per line, for ``POST /api/v1/declarations/verify/``;
* ``<out>.page.form``: one ``csrfmiddlewaretoken=...&code=...`` per line, for the verifier page
  ``POST /verklaring/controleren/`` (pasted text), with ``<out>.page.cookie``: the matching
  ``csrftoken`` cookie (give it to ``run.py --cookie``);
* ``<out>.expected.json``: the outcome each line must give (checked by ``--check``, in-process).

    export SQLITE_PATH=var/bench-verify.sqlite3
    .venv/bin/python manage.py migrate -v0 && .venv/bin/python manage.py load_reference_data -v0
    .venv/bin/python bench/declaration_data.py --keys var/bench-verify-keys.json --out var/bench-verify
    MZ_DECLARATION_KEYS_FILE=var/bench-verify-keys.json .venv/bin/python bench/run.py --no-prepare \\
        --post-mix /api/v1/declarations/verify/ var/bench-verify.api.jsonl \\
        --post-mix /verklaring/controleren/ var/bench-verify.page.form \\
        --cookie "$(cat var/bench-verify.page.cookie)" --settings bench.settings_verify

Not part of the test run. Test keys only: the keyring is for this benchmark and nothing else.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
import types
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402
from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret  # noqa: E402

from mantelzorg.accounts.models import Organisation  # noqa: E402
from mantelzorg.core.models import Municipality  # noqa: E402
from mantelzorg.declaration import codec, keys, purposes, services, status_list  # noqa: E402

DAY = 24 * 3600
# Out of every 40 codes checked: what a desk meets (mostly valid codes, some old or stopped ones, a
# few that are wrong). "valid_retired" is signed by the retired key: still valid after a rotation.
MIX = {
    "valid": 24,
    "valid_retired": 4,
    "expired": 3,
    "revoked": 3,
    "not_genuine_tampered": 1,
    "not_genuine_unknown_key": 1,
    "not_genuine_same_kid": 1,
    "malformed_prefix": 1,
    "malformed_truncated": 1,
    "malformed_garbage": 1,
}
EXPECTED = {
    "valid": "valid",
    "valid_retired": "valid",
    "expired": "expired",
    "revoked": "revoked",
    "not_genuine_tampered": "not_genuine",
    "not_genuine_unknown_key": "not_genuine",
    "not_genuine_same_kid": "not_genuine",
    "malformed_prefix": "malformed",
    "malformed_truncated": "malformed",
    "malformed_garbage": "malformed",
}
REVOKED_SHARE = 0.02


def keyring_rotated_once(now: int) -> keys.Keyring:
    first = keys.Keyring((keys.generate_key(now - 10 * DAY),))
    return first.rotated(now - 3 * DAY)


def declaration(rng: random.Random, gemeenten: list[str], organisation_id: int | None):
    confirmed = organisation_id is not None
    since = rng.randrange(2015, 2026)
    return types.SimpleNamespace(
        level="confirmed" if confirmed else "self_declared",
        hours_per_week=rng.choice([3, 6, 9, 12, 20, 30, 45]),
        care_since=dt.date(since, rng.randrange(1, 13), 1),
        pc4=str(rng.randrange(1011, 9999)),
        municipality_id=rng.choice(gemeenten),
        relation=rng.choice(["partner", "child", "relative", "parent", "friend"]),
        valid_until=dt.date(2027, rng.randrange(1, 13), 1),
        initials=rng.choice(["JV", "AB", "MK", "PJ", "E"]),
        birth_day=rng.randrange(1, 29),
        confirmed=confirmed,
        issuer_id=1 if confirmed else None,
        issuer=types.SimpleNamespace(organisation_id=organisation_id),
    )


def flip_payload_byte(code: str) -> str:
    import zlib

    import base45
    import cbor2

    sign1 = cbor2.loads(zlib.decompress(base45.b45decode(code[len(codec.PREFIX) :])))
    protected, unprotected, payload, signature = sign1.value
    changed = bytearray(payload)
    changed[len(changed) // 2] ^= 0x01
    cose = cbor2.dumps(cbor2.CBORTag(18, [protected, unprotected, bytes(changed), signature]))
    return codec.PREFIX + base45.b45encode(zlib.compress(cose, 9)).decode("ascii")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--keys", required=True, type=Path, help="benchmark keyring file to write")
    p.add_argument("--out", required=True, help="prefix of the files written")
    p.add_argument("--codes", type=int, default=400, help="codes in the mix (a multiple of 40)")
    p.add_argument("--seed", type=int, default=14)
    p.add_argument("--check", action="store_true", help="verify every code in-process against --keys")
    a = p.parse_args(argv)
    rng = random.Random(a.seed)
    now = int(time.time())

    keyring = keyring_rotated_once(now)
    keys.write_keyring(keyring, a.keys)
    active = keyring.active()
    retired = next(key for key in keyring.keys if key.state == keys.RETIRED)
    stranger = keys.generate_key(now)

    gemeenten = list(Municipality.objects.values_list("code", flat=True)[:400]) or ["GM0344"]
    with transaction.atomic():
        organisation, _ = Organisation.objects.get_or_create(
            name="Steunpunt Mantelzorg (benchmark)", kind=Organisation.Kind.SUPPORT_CENTRE
        )
        lists = [services.create_status_list() for _ in range(2)]
        revoked_bits = {}
        for row in lists:
            lst = bytearray(row.bits)
            chosen = rng.sample(range(row.size), int(row.size * REVOKED_SHARE))
            for idx in chosen:
                status_list.set_status(lst, idx, status_list.INVALID)
            row.bits = bytes(lst)
            row.save(update_fields=["bits", "updated_at"])
            revoked_bits[row.pk] = sorted(chosen)
    revoked_set = {(pk, idx) for pk, idxs in revoked_bits.items() for idx in idxs}
    all_purposes = purposes.all_purposes()

    def signed(kind: str) -> str:
        row = rng.choice(lists)
        if kind == "revoked":
            idx = rng.choice(revoked_bits[row.pk])
        else:
            while (row.pk, idx := rng.randrange(row.size)) in revoked_set:
                pass
        purpose = rng.choice(all_purposes)
        organisation_id = organisation.pk if rng.random() < 0.5 else None
        claims = purposes.claims_for(
            declaration(rng, gemeenten, organisation_id), purpose, status={"list": row.pk, "idx": idx}
        )
        issued = now - rng.randrange(0, 20 * DAY)
        expires = issued + codec.MAX_VALIDITY_SECONDS
        key = active
        if kind == "valid_retired":
            key = retired  # signed before the rotation, still published
            issued = now - 3 * DAY - rng.randrange(DAY, 10 * DAY)
            expires = issued + codec.MAX_VALIDITY_SECONDS
        elif kind == "expired":
            issued, expires = now - 60 * DAY, now - 32 * DAY
            key = retired
        cose_key = key.cose_key() if key.state == keys.ACTIVE else _signing_cose_key(key)
        if kind == "not_genuine_unknown_key":
            return codec.encode(claims, stranger.cose_key(), stranger.kid, issued, expires)
        if kind == "not_genuine_same_kid":
            return codec.encode(claims, stranger.cose_key(), active.kid, issued, expires)
        code = codec.encode(claims, cose_key, key.kid, issued, expires)
        if kind == "not_genuine_tampered":
            return flip_payload_byte(code)
        if kind == "malformed_prefix":
            return "HC1:" + code[len(codec.PREFIX) :]
        if kind == "malformed_truncated":
            return code[:-20]
        return code

    kinds = [kind for kind, n in MIX.items() for _ in range(n)] * max(1, a.codes // sum(MIX.values()))
    rng.shuffle(kinds)
    codes = []
    for kind in kinds:
        if kind == "malformed_garbage":
            codes.append(rng.choice(["", "MZ1:", "MZ1:NOT BASE45 ~~~", "https://example.org/?q=MZ1"]))
        else:
            codes.append(signed(kind))

    secret = _get_new_csrf_string()
    token = _mask_cipher_secret(secret)
    Path(f"{a.out}.api.jsonl").write_text("".join(json.dumps({"code": c}) + "\n" for c in codes))
    Path(f"{a.out}.page.form").write_text(
        "".join(urllib.parse.urlencode({"csrfmiddlewaretoken": token, "code": c}) + "\n" for c in codes)
    )
    Path(f"{a.out}.page.cookie").write_text(f"csrftoken={secret}\n")
    expected = [EXPECTED[k] for k in kinds]
    Path(f"{a.out}.expected.json").write_text(json.dumps({"kinds": kinds, "expected": expected}))
    shares = {o: expected.count(o) for o in dict.fromkeys(EXPECTED.values())}
    print(
        f"keyring {a.keys}: active {active.kid_text}, retired {retired.kid_text}; status lists "
        f"{[row.pk for row in lists]} ({REVOKED_SHARE:.0%} revoked); organisation {organisation.pk}; "
        f"{len(codes)} codes {shares} -> {a.out}.api.jsonl, {a.out}.page.form, {a.out}.page.cookie"
    )
    if a.check:
        os.environ[keys.ENV_FILE] = str(a.keys)
        wrong = 0
        for code, want in zip(codes, expected, strict=True):
            got = services.verify(code).status
            wrong += got != want
        print(f"check: {len(codes) - wrong}/{len(codes)} codes verify as expected")
        return 1 if wrong else 0
    return 0


def _signing_cose_key(key: keys.SigningKey):
    """A retired key signs nothing in production; here it signs what it signed before the rotation."""
    active = keys.SigningKey(key.kid, keys.ACTIVE, key.created, None, key._private)
    return active.cose_key()


if __name__ == "__main__":
    sys.exit(main())
