"""The typed section records: frozen, every number a Value or None, built once from the validated data
(exact shapes on the seed fixture, reachability on the real evidence)."""

from __future__ import annotations

import dataclasses

import pytest
from test_evidence import inputs
from test_seed import study

from evsynth.core.records import Design, Duration, Population, Record, Response, Sex


def test_records_are_frozen_and_typed() -> None:
    s = study("chiras-2004")
    assert isinstance(s.design, Design) and isinstance(s.population[0], Population)
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.population[0].patients = None  # type: ignore[misc]
    assert all(isinstance(r, Response) for r in s.responses)
    assert all(isinstance(d, Duration) for d in s.durations)


def test_absent_is_none_and_nested_parts_are_records() -> None:
    s = study("kuether-1996")
    sex = s.population[0].sex
    assert isinstance(sex, Sex) and sex.male is None and sex.female is not None and sex.female.value == 1


def test_every_value_is_reachable_once() -> None:
    for s in inputs().validated.studies:
        values = list(s.values())
        assert len({id(v) for v in values}) == len(values) > 0, s.id
        assert all(isinstance(r, Record) and r.line >= 1 for r in s.readings()), s.id
