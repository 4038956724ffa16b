"""`make audit`: pip-audit over the locked requirements (uv.lock), failing unless it really audited.

pip-audit skips a package it cannot look up (no network, vulnerability service down) and still exits
0 with "No known vulnerabilities found". This wrapper exports the locked requirements with hashes
(`uv export --locked`), runs pip-audit on exactly those pins (no resolving, no pip), reads its JSON
report and fails when any locked package was skipped, when fewer packages were audited than are
locked, when nothing was audited, or when a vulnerability is known. Not part of `make test`: it
needs the network (PyPI's JSON API / OSV).

    .venv/bin/python scripts/audit.py            # what `make audit` runs
    .venv/bin/python scripts/audit.py --service osv
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

REPO = Path(__file__).resolve().parent.parent
BIN = REPO / ".venv" / "bin"


@dataclass
class Verdict:
    ok: bool
    lines: list[str] = field(default_factory=list)


def count_requirements(text: str) -> int:
    """Pinned requirements in a `uv export` file that apply to this interpreter and platform."""
    logical = text.replace("\\\n", " ").splitlines()
    count = 0
    for line in logical:
        line = line.split(" --hash")[0].split("#")[0].strip()
        if not line or line.startswith("-"):
            continue
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            continue
        if requirement.marker is None or requirement.marker.evaluate():
            count += 1
    return count


def verdict(report: dict | None, expected: int) -> Verdict:
    """Pass only when all ``expected`` packages were audited and none has a known vulnerability."""
    deps = (report or {}).get("dependencies", [])
    skipped = [dep for dep in deps if dep.get("skip_reason")]
    audited = [dep for dep in deps if not dep.get("skip_reason")]
    vulnerable = [dep for dep in audited if dep.get("vulns")]
    lines = [
        f"pip-audit: {len(audited)} of {expected} packages audited, {len(skipped)} skipped, "
        f"{sum(len(dep['vulns']) for dep in vulnerable)} known vulnerabilities"
    ]
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
            lines.append(
                f"  VULNERABLE {dep['name']} {dep.get('version', '?')}: {vuln['id']} (fixed in {fixes})"
            )
    for dep in skipped[:10]:
        lines.append(f"  NOT AUDITED {dep['name']}: {dep['skip_reason']}")
    if len(skipped) > 10:
        lines.append(f"  … and {len(skipped) - 10} more not audited")
    problems = []
    if expected == 0 or not audited:
        problems.append("nothing was audited")
    if skipped or len(audited) < expected:
        problems.append(
            f"{expected - len(audited)} locked packages were not audited (network? service down?)"
        )
    if vulnerable:
        problems.append(f"{len(vulnerable)} packages have known vulnerabilities")
    if problems:
        lines.append("FAILED: " + "; ".join(problems) + ".")
    else:
        lines.append("OK: every locked package audited, no known vulnerabilities.")
    return Verdict(ok=not problems, lines=lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--service", default="pypi", choices=["pypi", "osv"], help="vulnerability service")
    parser.add_argument("--timeout", type=int, default=30, help="seconds per request to the service")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="mz-audit-") as tmp:
        requirements = Path(tmp) / "requirements.txt"
        output = Path(tmp) / "audit.json"
        subprocess.run(
            [str(BIN / "uv"), "export", "--format", "requirements-txt", "--locked", "--all-groups", "--quiet"]
            + ["--no-emit-project", "-o", str(requirements)],
            cwd=REPO,
            check=True,
        )
        expected = count_requirements(requirements.read_text())
        print(
            f"Auditing the {expected} locked packages (uv.lock, every group) with pip-audit ({args.service})"
        )
        proc = subprocess.run(
            [str(BIN / "pip-audit"), "-r", str(requirements), "--disable-pip", "--require-hashes"]
            + ["--vulnerability-service", args.service, "--timeout", str(args.timeout)]
            + ["--progress-spinner", "off", "-f", "json", "-o", str(output)],
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        try:
            report = json.loads(output.read_text())
        except (OSError, ValueError):
            report = None
    if report is None:  # pip-audit gave up (e.g. a network error): its last words, then the verdict
        tail = (proc.stdout + proc.stderr).strip().splitlines()[-8:]
        print(
            f"pip-audit exited with {proc.returncode} and wrote no report:",
            *tail,
            sep="\n  ",
            file=sys.stderr,
        )
    result = verdict(report, expected)
    print("\n".join(result.lines))
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
