"""`make audit` (scripts/audit.py) fails unless every locked package was actually audited.

pip-audit itself exits 0 and prints "No known vulnerabilities found" when it could not reach the
vulnerability database and skipped every package; the verdict below must not.
"""

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "audit.py"
spec = importlib.util.spec_from_file_location("mz_audit", SCRIPT)
audit = importlib.util.module_from_spec(spec)
sys.modules["mz_audit"] = audit
spec.loader.exec_module(audit)


def report(*deps):
    return {"dependencies": list(deps), "fixes": []}


OK = {"name": "django", "version": "5.2.9", "vulns": []}
OK2 = {"name": "orjson", "version": "3.11.0", "vulns": []}
SKIPPED = {
    "name": "asgiref",
    "skip_reason": "Dependency not found on PyPI and could not be audited: asgiref (3.13.0)",
}
VULNERABLE = {
    "name": "django",
    "version": "5.2.0",
    "vulns": [{"id": "PYSEC-2025-1", "fix_versions": ["5.2.1"]}],
}


def test_every_package_audited_and_clean_passes():
    verdict = audit.verdict(report(OK, OK2), expected=2)
    assert verdict.ok, verdict.lines
    assert "2 of 2 packages audited" in verdict.lines[0]


def test_nothing_audited_fails_although_pip_audit_says_no_known_vulnerabilities():
    # What pip-audit gives without network: every package skipped, exit status 0.
    verdict = audit.verdict(report(SKIPPED), expected=1)
    assert not verdict.ok
    assert "0 of 1 packages audited" in verdict.lines[0]
    assert any("asgiref" in line for line in verdict.lines)


def test_one_skipped_package_fails():
    assert not audit.verdict(report(OK, SKIPPED), expected=2).ok


def test_fewer_packages_in_the_report_than_locked_fails():
    assert not audit.verdict(report(OK), expected=2).ok


def test_empty_report_fails():
    assert not audit.verdict(report(), expected=0).ok
    assert not audit.verdict(None, expected=50).ok


def test_a_known_vulnerability_fails_and_is_named():
    verdict = audit.verdict(report(VULNERABLE, OK2), expected=2)
    assert not verdict.ok
    assert any("PYSEC-2025-1" in line and "5.2.1" in line for line in verdict.lines)


@pytest.mark.parametrize(
    "text,count",
    [
        ("django==5.2.9 \\\n    --hash=sha256:ab\norjson==3.11.0\n# via x\n", 2),
        ("-e .\nfoo==1.0 ; sys_platform == 'win32'\nbar==2.0 ; python_version >= '3'\n", 1),
    ],
)
def test_locked_packages_are_counted_from_the_export(text, count):
    assert audit.count_requirements(text) == count
