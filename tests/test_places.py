"""Where a number sits in a study, in words: the section with its source, list items by what they are
about, never a dotted path of field names and indexes."""

from __future__ import annotations

from conftest import BIBLIOGRAPHY, EVIDENCE

from evsynth import pipeline
from evsynth.render.places import place


def _label(key: str, value: str) -> str:
    return {"kidney": "Renal cell carcinoma"}.get(value, value.replace("-", " "))


def test_a_list_item_is_named_by_what_it_is_about() -> None:
    checked = pipeline.check(EVIDENCE, BIBLIOGRAPHY)
    for study in checked.validated.studies:
        for v in study.values():
            words = place(study, v.path, _label)
            assert ".".join(str(p) for p in v.path) not in words
            assert not any(f"› {p} ›" in words for p in v.path if isinstance(p, int))  # no bare index
            assert words.split(" › ")[0][0].isupper()


def test_population_paths_read_as_words() -> None:
    checked = pipeline.check(EVIDENCE, BIBLIOGRAPHY)
    study = next(s for s in checked.validated.studies if any(p.primaries for p in s.population))
    i, record = next((i, p) for i, p in enumerate(study.population) if p.primaries)
    path = ("population", i, "primaries", 0, "n")
    words = place(study, path, _label)
    first = record.tree["primaries"][0]["primary"]
    assert words.startswith(f"Population {i + 1}")
    assert words.endswith(f"primaries › {_label('primary', first)} › count")


def test_an_unnamed_item_is_given_by_its_position() -> None:
    checked = pipeline.check(EVIDENCE, BIBLIOGRAPHY)
    study = checked.validated.studies[0]
    assert place(study, ("design", "centres", 1), _label) == "Design › centres › item 2"
