"""`manage.py declaration_keys`: the signing keys of MZ1 codes (mantelzorg/declaration/keys.py).

    declaration_keys generate             a new keyring with one active key (refuses to overwrite)
    declaration_keys rotate               a new active key; the old one verifies only, for 28 days
    declaration_keys show [--format cose] the public key set: JWKS (JSON) or COSE_KeySet (hex)

The keyring is the file in MZ_DECLARATION_KEYS_FILE, else var/declaration_keys.json (mode 0600);
with MZ_DECLARATION_KEYS (the keyring as text) only `show` works. Prints kids, never a private key.
"""

import json
import os
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mantelzorg.declaration import keys
from mantelzorg.declaration.selectors import default_keyring_path as default_path


class Command(BaseCommand):
    help = "Generate or rotate the MZ1 signing keys, or show the public key set (JWKS or COSE_KeySet)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["generate", "rotate", "show"])
        parser.add_argument("--format", choices=["jwks", "cose"], default="jwks", help="for show")

    def handle(self, *args, **options):
        now = int(time.time())
        action = options["action"]
        try:
            if action == "show":
                keyring = keys.load_keyring(default_path=default_path())
                if options["format"] == "cose":
                    self.stdout.write(keyring.cose_key_set(now).hex())
                else:
                    self.stdout.write(json.dumps(keyring.jwks(now), indent=2))
                return
            if os.environ.get(keys.ENV_INLINE) and not os.environ.get(keys.ENV_FILE):
                raise CommandError(f"{keys.ENV_INLINE} holds the keyring as text: change it where it is set")
            path = Path(os.environ.get(keys.ENV_FILE) or default_path())
            if action == "generate":
                if path.exists():
                    raise CommandError(f"{path} exists; use 'rotate' to add a key")
                keyring = keys.Keyring((keys.generate_key(now),))
            else:
                keyring = keys.load_keyring({keys.ENV_FILE: str(path)}).rotated(now)
            keys.write_keyring(keyring, path)
        except keys.KeyringError as error:
            raise CommandError(str(error)) from error
        published = ", ".join(f"{key.kid_text} ({key.state})" for key in keyring.published(now))
        self.stdout.write(f"Keyring {path}: active key {keyring.active().kid_text}; published: {published}")
