"""The development secret key is made per installation (config/secret_key.py), never the public default."""

import os
import stat
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from config.secret_key import installation_secret_key

ROOT = Path(settings.BASE_DIR)
PRINT_KEY = "from django.conf import settings; print(settings.SECRET_KEY)"


def start(var: Path, **extra) -> subprocess.CompletedProcess:
    """A fresh process of the project (as `make run` starts one) with its var/ directory at ``var``."""
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SECRET_KEY", "DJANGO_ENV"}}
    env.update({"DJANGO_SECRET_KEY_FILE": str(var / "secret_key"), "SQLITE_PATH": str(var / "db.sqlite3")})
    env.update(extra)
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PRINT_KEY],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def key_of(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_two_fresh_installations_get_two_different_keys_and_a_second_start_reuses_the_file(tmp_path):
    one, two = tmp_path / "one" / "var", tmp_path / "two" / "var"
    first, other = key_of(start(one)), key_of(start(two))
    assert first != other
    assert len(first) >= 50 and "insecure" not in first
    assert key_of(start(one)) == first  # the second start of the same installation
    assert (one / "secret_key").read_text().strip() == first
    assert stat.S_IMODE((one / "secret_key").stat().st_mode) == 0o600


def test_the_environment_variable_wins_and_no_file_is_written(tmp_path):
    assert key_of(start(tmp_path, DJANGO_SECRET_KEY="from-the-environment-" + "e" * 40)).startswith(
        "from-the-environment-"
    )
    assert not (tmp_path / "secret_key").exists()


def test_production_without_the_variable_refuses_to_start_and_never_uses_the_file(tmp_path):
    installation_secret_key(tmp_path / "secret_key")
    result = start(tmp_path, DJANGO_ENV="production", DJANGO_ALLOWED_HOSTS="x.nl")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_concurrent_first_starts_agree_on_one_key(tmp_path):
    path = tmp_path / "secret_key"
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                f"from config.secret_key import installation_secret_key as k; print(k(__import__('pathlib').Path({str(path)!r})))",
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    keys = {proc.communicate(timeout=60)[0].strip() for proc in procs}
    assert len(keys) == 1 and keys != {""}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret_key"]  # no temporary files left


def test_the_test_run_signs_with_a_fixed_key_and_not_with_the_public_default():
    if os.environ.get("DJANGO_SECRET_KEY"):
        assert settings.SECRET_KEY == os.environ["DJANGO_SECRET_KEY"]
        return
    assert settings.SECRET_KEY == "test-only-secret-key-" + "t" * 40
