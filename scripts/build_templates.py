#!/usr/bin/env python3
"""Regenerate the committed workbooks: the blank template and the reviewed references.

    python scripts/build_templates.py          # rewrite the files that changed
    python scripts/build_templates.py --check  # exit 1 and list the stale files

Files written (paths from the repository root):

- ``templates/competency.xlsx`` and ``tests/references/default.xlsx``: the default matrix,
  no owner, no ratings;
- ``tests/references/filled.xlsx`` and ``examples/filled.xlsx``: the same matrix partly
  filled in by a sample person (the ratings and notes in ``EXAMPLE`` below).

Every file is built with the fixed creation date ``CREATED``, so a rebuild from unchanged
code is byte-identical: ``--check`` compares bytes, and a difference means the workbook
writer changed and the files must be regenerated (and reviewed) in the same commit.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # build from this checkout, not from an installed copy
    sys.path.insert(0, str(ROOT))

from matrix_xl.definition import default_definition  # noqa: E402
from matrix_xl.generate.workbook import build_workbook  # noqa: E402
from matrix_xl.xlsx.atomic import atomic_write_bytes  # noqa: E402

CREATED = date(2026, 1, 5)
EXAMPLE_OWNER = "Sample Person"
EXAMPLE_ROLE = "ML Engineer"

# skill id -> (self-rating or None for unrated, gap note): a plausible mid-career engineer.
# Ready to apply: not yet (several mandatory skills under 4); promotion: 7 of 13 mandatory
# at 4 or more, but only one at 5.
EXAMPLE: dict[str, tuple[int | None, str]] = {
    "python-advanced": (4, "Implement a custom context manager for DB sessions"),
    "python-functional-constructs": (
        3,
        "Implement the log parser as a lazy itertools pipeline; compare memory use",
    ),
    "data-handling": (4, ""),
    "feature-engineering": (3, "Implement out-of-fold target encoding with a leakage test"),
    "ml-algorithms": (4, ""),
    "evaluation-and-metrics": (3, "Read the calibration paper; add a reliability plot to eval"),
    "model-development": (2, "Implement a PyTorch training loop with a custom loss"),
    "deployment": (3, "Ship the FastAPI model service with /health and structured logs"),
    "cloud": (2, "Build the S3 + Lambda inference POC"),
    "analytical-debugging": (4, ""),
    "communication": (4, "Write two STAR stories with latency and cost figures"),
    "agile-collaboration": (5, ""),
    "documentation-and-best-practices": (4, "Write an ADR for the feature store choice"),
    "nlp-fundamentals": (3, ""),
    "computer-vision-basics": (2, ""),
    "time-series": (None, "Read: ARIMA vs LSTM tradeoffs, then rate"),
    "mlops-tooling": (3, "Register the churn model in MLflow with its lineage"),
    "big-data": (2, ""),
    "visualization": (4, ""),
    "distributed-computing-concepts": (1, "Read: data vs model parallelism overview"),
    "ci-cd-version-control": (3, ""),
}

TEMPLATE = Path("templates/competency.xlsx")
REFERENCE_DEFAULT = Path("tests/references/default.xlsx")
REFERENCE_FILLED = Path("tests/references/filled.xlsx")
EXAMPLE_FILLED = Path("examples/filled.xlsx")


def build_default() -> bytes:
    """The blank template: default definition, no owner, fixed date."""
    return build_workbook(owner="", role="", created=CREATED)


def build_filled() -> bytes:
    """The sample person's partly filled workbook."""
    known = {s.id for s in default_definition().skills}
    unknown = sorted(EXAMPLE.keys() - known)
    if unknown:  # build_workbook would drop them without a word
        raise SystemExit(f"EXAMPLE names skills the default matrix lacks: {', '.join(unknown)}")
    return build_workbook(
        owner=EXAMPLE_OWNER,
        role=EXAMPLE_ROLE,
        created=CREATED,
        ratings={skill: rating for skill, (rating, _) in EXAMPLE.items()},
        notes={skill: note for skill, (_, note) in EXAMPLE.items() if note},
    )


def outputs() -> dict[Path, bytes]:
    """Every committed workbook (path relative to the repository root) and its bytes."""
    default, filled = build_default(), build_filled()
    return {
        TEMPLATE: default,
        REFERENCE_DEFAULT: default,
        REFERENCE_FILLED: filled,
        EXAMPLE_FILLED: filled,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a file is stale"
    )
    args = parser.parse_args(argv)
    stale: list[Path] = []
    for rel, data in outputs().items():
        path = ROOT / rel
        current = path.read_bytes() if path.exists() else None
        if current == data:
            continue
        stale.append(rel)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(path, data)
            print(f"wrote {rel}")
    if args.check:
        for rel in stale:
            print(f"stale: {rel}", file=sys.stderr)
        if stale:
            print("run python scripts/build_templates.py", file=sys.stderr)
            return 1
        print("templates and references are up to date")
    elif not stale:
        print("nothing to do: every file is up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
