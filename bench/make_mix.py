#!/usr/bin/env python3
"""Write a realistic mix of search requests for ``run.py --urls``: many different postcodes
(real PC4 areas, weighted by nothing: every area equally likely), distances, vraaggebieden and
text terms, so that a benchmark does not repeat one query (which the public page cache would
answer every time).

    .venv/bin/python bench/make_mix.py --n 2000 --seed 1 --out var/mix-search.txt
    .venv/bin/python bench/make_mix.py --n 2000 --seed 1 --hsds --out var/mix-hsds.txt
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from mantelzorg.directory import taxonomy  # noqa: E402  (plain Python, no Django needed)

DOMAINS = taxonomy.codes(taxonomy.SUPPORT_DOMAINS)
WORDS = ["", "", "mantelzorgers", "dementie", "logeren", "lotgenoten", "vrijwilligers", "respijt"]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=2000, help="number of paths (max 10,000)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument(
        "--hsds", action="store_true", help="HSDS /services?postcode&proximity instead of the page"
    )
    p.add_argument("--out", required=True)
    a = p.parse_args(argv)
    rng = random.Random(a.seed)  # noqa: S311 - benchmark input, not security
    with open(REPO / "data" / "pc4_gemeente_2025.csv", encoding="utf-8") as fh:
        pc4s = [row["pc4"] for row in csv.DictReader(fh)]
    lines = []
    for _ in range(max(1, min(a.n, 10_000))):
        pc4 = rng.choice(pc4s)
        if a.hsds:
            query = {"postcode": pc4, "proximity": rng.choice((5000, 10000, 25000))}
            if rng.random() < 0.3:
                query["search"] = rng.choice(WORDS[2:])
            lines.append("/api/hsds/3.0/services?" + urlencode(query))
            continue
        query = {"postcode": pc4, "afstand": rng.choice(("5", "10", "10", "25"))}
        if rng.random() < 0.7:
            query["vraaggebied"] = rng.choice(DOMAINS)
        word = rng.choice(WORDS)
        if word:
            query["q"] = word
        lines.append("/sociale-kaart/?" + urlencode(query))
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} paths ({len(set(lines))} different) → {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
