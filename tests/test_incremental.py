"""Incremental builds: the render cache (`core.memo`, `load/cache.py`, `publish/cache.py`) is never
stale, a build with nothing changed renders nothing, a deleted or corrupted cache changes nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import BIBLIOGRAPHY, EVIDENCE

from evsynth import pipeline
from evsynth.core.memo import Memo, fingerprint
from evsynth.load.cache import RENDER_FILE, STUDIES_DIR, read_memo
from evsynth.publish import cache as publish_cache
from evsynth.publish import live

MARKER = "Changed by the incremental test"


@pytest.fixture(scope="module")
def evidence(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the first studies of the evidence base (enough for every kind of page, quick to render)."""
    base = tmp_path_factory.mktemp("inc")
    shutil.copytree(EVIDENCE, base / "evidence")
    return base / "evidence"


def build(evidence: Path, cache: Path) -> tuple[dict[str, str], Memo]:
    """load -> render through the cache on disk (study files and pages), as `build.py site` does."""
    checked = pipeline.check_cached(evidence, BIBLIOGRAPHY, cache=cache)
    memo = pipeline.read_cache(cache)
    built = pipeline.build(checked, memo)
    pipeline.save_cache(memo, cache)
    return built.rendered.files, memo


def plain(evidence: Path) -> dict[str, str]:
    """The same build with no cache at all."""
    return pipeline.build(pipeline.check(evidence, BIBLIOGRAPHY)).rendered.files


def change_one_note(evidence: Path) -> str:
    """Change one field (the note on the design) of one study; its id."""
    study = sorted(evidence.glob("*.yaml"))[0]
    text = study.read_text(encoding="utf-8")
    at = text.index("note: ", text.index("\ndesign:")) + len("note: ")
    quote = text[at] if text[at] in "\"'" else ""
    study.write_text(text[: at + len(quote)] + MARKER + ". " + text[at + len(quote) :], encoding="utf-8")
    return study.stem


def test_no_change_renders_nothing_and_a_change_updates_every_page_that_shows_it(
    evidence: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    first, memo = build(evidence, cache)
    assert memo.made, "an empty cache renders everything"
    again, memo = build(evidence, cache)
    assert memo.made == [] and again == first
    changed = change_one_note(evidence)
    after, memo = build(evidence, cache)
    assert after == plain(evidence), "a page or figure from the cache is stale"
    showing = {path for path, text in after.items() if MARKER in text}
    assert f"studies/{changed}/index.md" in showing
    assert {f"page:{t}:{p}" for p in showing for t in ("study.md.j2",) if p.startswith("studies/")} <= set(memo.made)
    assert 0 < len(memo.made) < len(first) / 2, memo.made
    assert all(changed in p or "/" not in p.removesuffix("/index.md") for p in memo.made if "page:study" in p)


def test_deleting_or_corrupting_the_cache_builds_the_same_bytes(evidence: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first, _ = build(evidence, cache)
    shutil.rmtree(cache)
    assert build(evidence, cache)[0] == first
    for junk in (b"", b"{", b"\xff\xfe not utf-8", b"[1, 2]", b'{"format": 1}', b"null"):
        (cache / RENDER_FILE).write_bytes(junk)
        assert read_memo(cache).entries == {}
    data = json.loads(json.dumps({"format": "evsynth-render-cache-1", "salt": read_memo(cache).salt}))
    (cache / RENDER_FILE).write_text(json.dumps(data | {"entries": {"k": 3}}), encoding="utf-8")
    assert read_memo(cache).entries == {}
    (cache / RENDER_FILE).write_bytes(b"\x00garbage")
    files, memo = build(evidence, cache)
    assert files == first and memo.made


def test_the_study_files_are_read_back_unchanged_and_checked_again_when_changed(evidence: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    plain_check = pipeline.check(evidence, BIBLIOGRAPHY)
    first = pipeline.check_cached(evidence, BIBLIOGRAPHY, cache=cache)
    assert first.studies is not None and len(first.studies.made) == len(list(evidence.glob("*.yaml")))
    again = pipeline.check_cached(evidence, BIBLIOGRAPHY, cache=cache)
    assert again.studies is not None and again.studies.made == {}
    assert len(again.studies.found) == len(first.studies.made)
    for checked in (first, again):
        assert checked.problems == plain_check.problems
        assert checked.validated.studies == plain_check.validated.studies
        assert checked.validated.discrepancies == plain_check.validated.discrepancies
    changed = change_one_note(evidence)
    after = pipeline.check_cached(evidence, BIBLIOGRAPHY, cache=cache)
    assert after.studies is not None and [e.doc.data["id"] for e in after.studies.made.values()] == [changed]
    fresh = pipeline.check(evidence, BIBLIOGRAPHY)
    assert after.problems == fresh.problems and after.validated.studies == fresh.validated.studies
    assert MARKER in next(s.design.note or "" for s in after.validated.studies if s.id == changed)
    kept = len(first.studies.made) + len(first.studies.bibs_made)  # the BibTeX files' entries too
    assert (
        first.studies.bibs_made
        and again.studies.bibs_made == {}
        and len(again.studies.bibs) == kept - len(first.studies.made)
    )
    assert len(list((cache / STUDIES_DIR).iterdir())) == kept, "the old entry is removed"


def test_a_new_day_validates_every_study_again_from_its_bytes(
    evidence: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime

    from evsynth.validate import reuse

    cache = tmp_path / "cache"
    first = pipeline.check_cached(evidence, BIBLIOGRAPHY, cache=cache)
    monkeypatch.setattr(reuse, "today", lambda: datetime.date.today() + datetime.timedelta(days=1))
    again = pipeline.check_cached(evidence, BIBLIOGRAPHY, cache=cache)  # the entries are slim: parsed again
    assert again.studies is not None and first.studies is not None
    assert len(again.studies.made) == len(first.studies.made) and all(e.slim for e in again.studies.found.values())
    assert again.problems == first.problems and again.validated.studies == first.validated.studies


def test_a_damaged_study_entry_is_no_entry(evidence: Path, tmp_path: Path) -> None:
    import os
    import pickle

    cache = tmp_path / "cache"
    first = pipeline.check_cached(evidence, BIBLIOGRAPHY, cache=cache)
    assert first.studies is not None
    entries = [cache / STUDIES_DIR / key for key in sorted(first.studies.made)]
    evil = pickle.dumps(os.system)  # a function is never looked up from the cache, let alone called
    for entry, junk in zip(entries, (b"", b"\x00garbage", evil, pickle.dumps([1, 2]), entries[-1].read_bytes()[:50])):
        entry.write_bytes(junk)
    again = pipeline.check_cached(evidence, BIBLIOGRAPHY, cache=cache)
    assert again.studies is not None and len(again.studies.made) == 5
    assert again.problems == first.problems and again.validated.studies == first.validated.studies


def test_a_bibtex_file_read_back_from_the_cache_gives_the_same_entries_and_problems(tmp_path: Path) -> None:
    from evsynth.core.studycache import StudyCache
    from evsynth.load.files import RawFile, load_bibliography

    one = RawFile("references/a.bib", b"@article{k2020,\n author = {A, B},\n title = {T},\n year = {2020}\n}\n")
    two = RawFile("references/b.bib", b"@article{j2021,\n author = {C, D},\n year = {2021}\n}\n\n" + one.data)
    plain_bib, plain_problems = load_bibliography([one, two])
    assert [(p.path, p.line, p.code) for p in plain_problems] == [("references/b.bib", 6, "bib-duplicate-key")]
    cache = StudyCache("salt")
    for f in (one, two):
        cache.key(f.path, f.data)
    assert load_bibliography([one, two], cache) == (plain_bib, plain_problems)
    cache.bibs, cache.bibs_made = cache.bibs_made, {}
    assert load_bibliography([one, two], cache) == (plain_bib, plain_problems) and cache.bibs_made == {}


def test_a_study_is_validated_again_when_a_reference_it_cites_changes() -> None:
    from evsynth.core.document import Document
    from evsynth.load.files import Bibliography
    from evsynth.validate.reuse import check_key

    doc = Document("evidence/a-2020.yaml", {"citation": "a2020", "reports": {"r": {"citation": "b2021"}}})
    bib = Bibliography(entries={"a2020": None, "b2021": None, "c2022": None})  # type: ignore[dict-item]
    labels = {"a2020": "A 2020", "b2021": "B 2021", "c2022": "C 2022"}
    key = check_key("file", doc, bib, labels, "context")
    assert check_key("file", doc, bib, labels | {"c2022": "Other 2022"}, "context") == key
    assert check_key("file", doc, bib, labels | {"b2021": "Other 2021"}, "context") != key
    assert check_key("file", doc, Bibliography(entries={"a2020": None}), labels, "context") != key  # type: ignore[dict-item]
    assert check_key("file", doc, bib, labels, "tomorrow") != key
    assert check_key("other bytes", doc, bib, labels, "context") != key


def test_a_cache_from_other_code_is_not_read(tmp_path: Path) -> None:
    memo = Memo("old code", {"k": "text"})
    memo.used.add("k")
    publish_cache.save_memo(memo, tmp_path)
    assert read_memo(tmp_path, "old code").entries == {"k": "text"}
    assert read_memo(tmp_path, "new code").entries == {}


def test_fingerprints_see_every_field_and_are_stable() -> None:
    import dataclasses

    import pandas as pd

    @dataclasses.dataclass(frozen=True)
    class R:
        a: str
        b: tuple[int, ...] = ()

    assert fingerprint(R("x", (1,))) == fingerprint(R("x", (1,)))
    assert fingerprint(R("x", (1,))) != fingerprint(R("x", (2,)))
    assert fingerprint({"a": 1}) != fingerprint({"a": "1"})
    assert fingerprint(["ab", "c"]) != fingerprint(["a", "bc"])
    assert fingerprint({1, 2}) == fingerprint({2, 1})
    frame = pd.DataFrame({"a": [1, 2]})
    assert fingerprint(frame) != fingerprint(pd.DataFrame({"a": [1, 3]}))
    assert fingerprint(frame) != fingerprint(pd.DataFrame({"b": [1, 2]}))
    assert fingerprint(frame) != fingerprint(pd.DataFrame({"a": [1.0, 2.0]}))
    shared = "tae"  # text cells by value: a frame read back from the cache shares no string objects
    one = pd.DataFrame({"g": [shared, shared], "n": [1, 2]})
    other = pd.DataFrame({"g": ["".join(["ta", "e"]), "".join(["t", "ae"])], "n": [1, 2]})
    assert fingerprint(one) == fingerprint(other) != fingerprint(one.assign(g=["tae", "pvp"]))


def test_the_site_build_is_skipped_when_its_inputs_and_output_are_unchanged(tmp_path: Path) -> None:
    out, work = tmp_path / "site", tmp_path / "work"
    work.mkdir()
    out.mkdir()
    (out / "index.html").write_text("built", encoding="utf-8")
    digest = publish_cache.site_digest([{"index.md": "# Hi"}])
    assert not publish_cache.site_up_to_date(work, out, digest)
    publish_cache.record_site(work, out, digest)
    assert publish_cache.site_up_to_date(work, out, digest)
    assert not publish_cache.site_up_to_date(work, out, publish_cache.site_digest([{"index.md": "# Ho"}]))
    (out / "index.html").write_text("changed by hand", encoding="utf-8")
    assert not publish_cache.site_up_to_date(work, out, digest)
    (work / publish_cache.STAMP).write_text("not json", encoding="utf-8")
    assert not publish_cache.site_up_to_date(work, out, digest)


def test_serves_first_pass_renders_the_changed_study_and_the_full_pass_the_rest(tmp_path: Path) -> None:
    """`serve` after a change: the first pass makes only the changed study's page (the others are the
    last build's text, unchecked); the full pass after it gives the same files as a build without cache."""
    shutil.copytree(EVIDENCE, tmp_path / "evidence")
    evidence = tmp_path / "evidence"
    memo = pipeline.read_cache(tmp_path / "cache")
    before = pipeline.build(pipeline.check(evidence, BIBLIOGRAPHY), memo).rendered.files
    study = change_one_note(evidence)
    checked = pipeline.check(evidence, BIBLIOGRAPHY)
    memo.first = live.first_pages([evidence / f"{study}.yaml"], "/methods/")
    quick = pipeline.build(checked, memo).rendered.files
    memo.first = None
    first = {f"studies/{study}/index.md", "methods/index.md"}  # the changed study's, the page looked at
    assert MARKER in quick[f"studies/{study}/index.md"] and memo.made
    assert {what.rsplit(":", 1)[-1] for what in memo.made} <= first
    kept = [k for k in before if k not in first and not k.startswith("downloads/")]  # the CSV and JSON: made anew
    assert memo.deferred and [quick[k] for k in kept] == [before[k] for k in kept]
    assert pipeline.build(checked, memo).rendered.files == plain(evidence)
    assert live.first_pages([], "/methods/index.html")("page:methods.md.j2:methods/index.md")


def test_sync_writes_only_the_files_whose_text_changed(tmp_path: Path) -> None:
    static, docs = tmp_path / "static", tmp_path / "docs"
    static.mkdir()
    (static / "about.md").write_text("about", encoding="utf-8")
    assert live.sync({"a.md": "a", "b/c.md": "c"}, docs, static) == ["a.md", "about.md", "b/c.md"]
    assert live.sync({"a.md": "a", "b/c.md": "C"}, docs, static) == ["b/c.md"]
    assert live.sync({"a.md": "a"}, docs, static) == ["b/c.md"] and not (docs / "b" / "c.md").exists()
