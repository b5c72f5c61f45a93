"""What the roll-up keeps of a workbook: people, files left out, groups, and their JSON."""

from __future__ import annotations

import dataclasses
import pickle
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from team_files import IDS, D

from matrix_xl.team.model import DefinitionGroup, FileError, Interner, PersonResult, TrendPoint

ADA = PersonResult(
    "ada.xlsx", "Ada", "ML Engineer", D, D.fingerprint(), (4,) * len(IDS), (True, False), 0
)


def person(owner: str = "Ada", ready: tuple[bool, ...] = (True, False), **kw: Any) -> PersonResult:
    return dataclasses.replace(
        ADA, workbook=f"{owner.lower()}.xlsx", owner=owner, ready=ready, **kw
    )


def test_a_persons_json_entry_has_a_verdict_per_threshold_by_id() -> None:
    ada = person(unrated=3)
    assert ada.ready_by_id() == {"apply": True, "promotion": False}
    assert ada.to_dict() == {
        "workbook": "ada.xlsx",
        "owner": "Ada",
        "role": "ML Engineer",
        "valid": True,
        "apply_ready": True,
        "promotion_ready": False,
        "ready": {"apply": True, "promotion": False},
        "unrated": 3,
        "definition": D.fingerprint(),
    }
    assert list(ada.to_dict())[:4] == ["workbook", "owner", "role", "valid"]


def test_a_file_left_out_and_an_invalid_person_in_json() -> None:
    broken = FileError("x.xlsx", "the file is a damaged zip")
    assert broken.kind == "unreadable" and broken.owner is None
    assert broken.to_dict() == {
        "workbook": "x.xlsx",
        "message": "the file is a damaged zip",
        "kind": "unreadable",
    }
    nine = FileError(
        "n.xlsx", "rating 9", kind="invalid", owner="Nine", role="R", thresholds=("a", "b")
    )
    assert nine.person_dict() == {
        "workbook": "n.xlsx",
        "owner": "Nine",
        "role": "R",
        "valid": False,
        "a_ready": None,
        "b_ready": None,
        "ready": {"a": None, "b": None},
    }


@given(st.lists(st.tuples(st.booleans(), st.booleans()), max_size=12))
def test_a_group_counts_who_meets_each_threshold(verdicts: list[tuple[bool, bool]]) -> None:
    group = DefinitionGroup(
        D.fingerprint(), D, [person(f"P{i}", v) for i, v in enumerate(verdicts)]
    )
    assert group.ready_counts() == [sum(v[0] for v in verdicts), sum(v[1] for v in verdicts)]
    assert group.label == f"{D.title} (definition {D.fingerprint()})"


def test_the_interner_keeps_one_object_for_equal_values() -> None:
    history = (TrendPoint("2026-W40", (True, False), 80, 20),)
    # What worker processes send back: equal values, each result with its own copies.
    copies = [pickle.loads(pickle.dumps(person(f"P{i}", history=history))) for i in range(3)]
    assert copies[0].definition is not copies[1].definition
    interner = Interner()
    adopted = [interner.adopt(p, p.workbook) for p in copies]
    assert adopted == copies
    for attribute in ("definition", "role", "ready", "fingerprint"):
        assert len({id(getattr(p, attribute)) for p in adopted}) == 1, attribute
    name = "p0.xlsx"
    assert interner.adopt(copies[0], name).workbook is name
    error = FileError("x.xlsx", "bad")
    assert interner.adopt(error, "x.xlsx") is error
