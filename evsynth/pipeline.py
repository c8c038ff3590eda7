"""Where the stages meet: load -> validate -> synthesis -> cite -> render -> publish.

Each function takes the typed hand-off of the stage before and returns its own. Only load and
publish touch the disk. The command line, `serve`, the benchmarks and the tests enter here.
"""

from __future__ import annotations

import base64
import functools
import gc
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import ParamSpec, TypeVar

from evsynth.cite.vancouver import Cited, cite
from evsynth.core.budget import Deadline
from evsynth.core.document import Document
from evsynth.core.memo import Memo
from evsynth.core.paths import STATIC_PAGES, TEMPLATES
from evsynth.core.problems import Problem
from evsynth.core.searchlog import SearchLog
from evsynth.core.studycache import StudyCache
from evsynth.core.vocab import Vocabularies
from evsynth.load import cache as load_cache
from evsynth.load import files as load
from evsynth.load import revision
from evsynth.load.history import Change, evidence_history, last_evidence_date
from evsynth.load.searchlog import RawLog, load_search_log, study_ids
from evsynth.load.vocabulary import load_vocabularies
from evsynth.publish import cache as publish_cache
from evsynth.publish import live
from evsynth.publish import site as publish_site
from evsynth.publish.engine import Engine
from evsynth.publish.live import LiveSite
from evsynth.publish.pdf_join import make_pdf
from evsynth.render.diff import diff_markdown
from evsynth.render.pages import Rendered, render_site
from evsynth.render.print_document import render_pdf_html
from evsynth.synthesis import compare, prisma
from evsynth.synthesis.synthesize import Synthesis, synthesize
from evsynth.validate.checks import Validated, validate_evidence
from evsynth.validate.folder import folder_clashes
from evsynth.validate.searchlog import validate_log

PDF_NAME = "downloads/evidence-synthesis.pdf"
CACHE = load_cache.CACHE  # the build cache: git-ignored, safe to delete


@dataclass
class Checked:
    """load -> validate: the validated studies and bibliography, and every problem found on the way."""

    validated: Validated
    load_problems: list[Problem]
    bib: load.Bibliography
    vocab: Vocabularies
    history: list[Change] | None = None
    evidence_date: str | None = None  # the latest extraction date the study files record
    build_date: str | None = None  # of the evidence (last commit, else evidence_date), never the clock
    search_log: SearchLog | None = None  # the literature search log, validated (None: no log)
    log_problems: list[Problem] = field(default_factory=list)
    studies: StudyCache | None = None  # the study files' cache entries, read and made (None: no cache)

    @property
    def problems(self) -> list[Problem]:
        return self.load_problems + self.validated.problems + self.log_problems


@dataclass
class Loaded:
    """load: parsed study files and bibliography, the vocabulary, the evidence's history."""

    evidence: Path
    docs: list[Document]
    bib: load.Bibliography
    vocab: Vocabularies
    problems: list[Problem]
    deadline: Deadline
    history: list[Change] | None
    last_change: str | None  # date of the evidence folder's last commit
    checked_files: list[Path] | None  # `check FILE...`: the files checked against the rest of the folder
    search_log: RawLog | None = None  # evidence/search/ as read (None: no log, or read from git)
    study_ids: frozenset[str] = frozenset()  # the study files' names in the evidence folder
    studies: StudyCache | None = None  # each study file parsed and validated before (None: no cache)


P = ParamSpec("P")
T = TypeVar("T")


def _bulk(stage: Callable[P, T]) -> Callable[P, T]:
    """Run `stage` with the cyclic garbage collector paused: reading and checking make a great many
    objects that all live on, which its collections would scan again and again for nothing."""

    @functools.wraps(stage)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        paused = gc.isenabled()
        gc.disable()
        try:
            return stage(*args, **kwargs)
        finally:
            if paused:
                gc.enable()

    return run


@_bulk
def load_inputs(
    evidence: Path, references: Path, files: Sequence[Path] | None = None, cache: Path | None = None
) -> Loaded:
    """Read and parse every study file (or only `files`) and every BibTeX file; never raises on bad input.
    With `cache` (the build cache's folder), the study files parsed and validated before are read back."""
    paths = list(files) if files else load.study_paths(evidence)
    raw, problems = load.read_files(paths, load.STUDY_SUFFIX)
    bib_raw, bib_read = load.read_files(load.bib_paths(references), load.BIB_SUFFIX)
    folder = evidence.is_dir()
    problems += [p for p in (load.folder_problem(evidence), load.folder_problem(references)) if p]
    studies = None
    if cache is not None:
        studies = load_cache.read_studies([(f.path, f.data) for f in raw], cache, [(f.path, f.data) for f in bib_raw])
    if studies is not None:
        studies.whole = not files  # `check FILE...` keeps the other files' entries
    loaded = _parse(evidence, (raw, problems), (bib_raw, bib_read), len(paths), studies)
    loaded.history = evidence_history(evidence) if folder else None
    loaded.last_change = last_evidence_date(evidence) if folder else None
    loaded.checked_files = paths if files else None
    loaded.search_log = load_search_log(evidence) if folder else None
    loaded.study_ids = study_ids(load.study_paths(evidence)) if folder else frozenset()
    return loaded


Read = tuple[list[load.RawFile], list[Problem]]  # the files read, and the problems reading them


def _parse(evidence: Path, studies: Read, bibtex: Read, files: int, cache: StudyCache | None = None) -> Loaded:
    """Parse what was read (from disk or from git): the study files against a deadline, the BibTeX."""
    deadline = Deadline(files)
    docs, parse_problems = load.load_studies(studies[0], deadline, cache)
    bib, bib_problems = load.load_bibliography(bibtex[0], cache)
    problems = studies[1] + parse_problems + bibtex[1] + bib_problems
    loaded = Loaded(evidence, docs, bib, load_vocabularies(), problems, deadline, None, None, None)
    loaded.studies = cache
    return loaded


def load_revision(evidence: Path, references: Path, ref: str) -> Loaded | Problem:
    """The study and BibTeX files as they were where the current branch left `ref` (read from git,
    nothing checked out), or the problem that stops it (not a git repository, no such ref)."""
    commit = revision.base_commit(evidence, ref)
    if isinstance(commit, Problem):
        return commit
    studies = revision.files_at(evidence, commit, load.STUDY_SUFFIX)
    bibtex = revision.files_at(references, commit, load.BIB_SUFFIX)
    return _parse(evidence, studies, bibtex, len(studies[0]) + len(studies[1]))


@contextmanager
def long_lived() -> Iterator[None]:
    """What exists now lives until the stage ends (the loaded files, the studies, the synthesis): kept
    out of the cyclic garbage collector's passes meanwhile (`gc.freeze`), so each pass does not walk
    them again (13% of render at 10,000 studies); handed back after, as `serve` builds again and again."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@_bulk
def validate_inputs(loaded: Loaded) -> Checked:
    """Validate once: typed studies, the data-quality findings, every problem."""
    with long_lived():
        validated = validate_evidence(loaded.docs, loaded.bib, loaded.vocab, loaded.deadline, loaded.studies)
    if loaded.checked_files:
        folder = [p for p in load.study_paths(loaded.evidence) if p.suffix == load.STUDY_SUFFIX]
        validated.problems += folder_clashes(validated, loaded.docs, folder, loaded.checked_files)
    dates = [str(s.extraction.date) for s in validated.studies]
    extracted = max(dates) if dates else None
    log, log_problems = validate_log(loaded.search_log, loaded.study_ids) if loaded.search_log else (None, [])
    return Checked(
        validated,
        loaded.problems,
        loaded.bib,
        loaded.vocab,
        loaded.history,
        extracted,
        loaded.last_change or extracted,
        log,
        log_problems,
        loaded.studies,
    )


def check(evidence: Path, references: Path, files: Sequence[Path] | None = None, cache: Path | None = None) -> Checked:
    """load -> validate, for every study file (or only `files`, checked against the rest); through the
    build cache in `cache` when given (each unchanged file's parse and checks read back; see `save_studies`)."""
    return validate_inputs(load_inputs(evidence, references, files, cache))


def check_cached(evidence: Path, references: Path, files: Sequence[Path] | None = None, cache: Path = CACHE) -> Checked:
    """`check` through the build cache on disk: read back what it holds, write back what is new."""
    checked = check(evidence, references, files, cache)
    save_studies(checked, cache)
    return checked


def save_studies(checked: Checked, cache: Path = load_cache.CACHE) -> None:
    """Write back the study files parsed and validated by this build (a full one forgets the others)."""
    if checked.studies is not None:
        publish_cache.save_studies(checked.studies, cache)


gather = check  # the name the tests and benchmarks have used


def synthesis(checked: Checked) -> Synthesis:
    with long_lived():  # the studies just validated are not walked again by each collection (2 s at 10,000)
        syn = synthesize(checked.validated.studies, checked.validated.discrepancies, checked.vocab)
    syn.flow = prisma.flow(checked.search_log) if checked.search_log else None
    return syn


def side(checked: Checked) -> compare.Side:
    """load -> validate -> synthesis, as the comparison of two builds needs it."""
    return compare.Side(synthesis(checked), checked.problems, checked.bib)


def evidence_diff(evidence: Path, references: Path, ref: str) -> compare.EvidenceDiff | Problem:
    """What the files on disk change in the evidence since where the current branch left `ref`."""
    before = load_revision(evidence, references, ref)
    if isinstance(before, Problem):
        return before
    return compare.compare(side(validate_inputs(before)), side(check(evidence, references)))


def diff_report(evidence: Path, references: Path, ref: str) -> str | Problem:
    """`evidence_diff` in Markdown for the pull request's reviewer."""
    found = evidence_diff(evidence, references, ref)
    return found if isinstance(found, Problem) else diff_markdown(found, ref, load_vocabularies())


def render(checked: Checked, syn: Synthesis, cited: Cited, memo: Memo | None = None) -> Rendered:
    """Every page, figure and download; through `memo` (the build cache), only those whose inputs changed."""
    if memo is not None:
        memo.start()
        digests = checked.studies.digests if checked.studies is not None else {}
        memo.known((s, digests[s.path]) for s in checked.validated.studies if s.path in digests)
    with long_lived():
        return render_site(syn, cited, checked.vocab, checked.history, checked.evidence_date, memo)


@dataclass(frozen=True)
class Built:
    """Everything a build produces before it is published."""

    syn: Synthesis
    cited: Cited
    rendered: Rendered


def citations(checked: Checked) -> Cited:
    return cite(checked.bib)


def build(checked: Checked, memo: Memo | None = None) -> Built:
    """synthesis -> cite -> render: every page, figure and download, rendered once (through `memo`:
    only what changed since the builds it remembers)."""
    syn = synthesis(checked)
    cited = citations(checked)
    return Built(syn, cited, render(checked, syn, cited, memo))


def read_cache(cache: Path = load_cache.CACHE) -> Memo:
    """The build cache of rendered pages and figures (empty when missing or unreadable)."""
    return load_cache.read_memo(cache)


def save_cache(memo: Memo, cache: Path = load_cache.CACHE) -> None:
    publish_cache.save_memo(memo, cache)


def print_html(checked: Checked, built: Built, version: str) -> str:
    """The print document (HTML for the PDF) made from the same rendered pages as the site."""
    static = load.read_static_pages(STATIC_PAGES)
    return render_pdf_html(
        built.rendered, static, built.syn, built.cited, checked.vocab, version, checked.evidence_date
    )


def publish(
    checked: Checked,
    built: Built,
    out: Path,
    work: Path,
    pdf: bool = True,
    engine: Engine = "material",
    memo: Memo | None = None,
) -> int:
    """Write the site (and its PDF, in the same atomic build) into `out`, built by `engine`; the PDF
    through `memo` (made again only when its print document changed)."""
    extra = {PDF_NAME: pdf_bytes(print_html(checked, built, version()), memo)} if pdf else {}
    rendered = built.rendered
    return publish_site.write_site(
        rendered.files, work, out, rendered.nav, extra, checked.build_date, rendered.footer, engine
    )


def build_and_publish(
    checked: Checked, out: Path, work: Path, pdf: bool = True, engine: Engine = "material", memo: Memo | None = None
) -> int:
    """build -> publish through the build cache: `memo`, else the one on disk (read, then saved back)."""
    cache = memo or read_cache()
    code = publish(checked, build(checked, cache), out, work, pdf, engine, cache)
    if memo is None:
        save_cache(cache)
    return code


class Preview:
    """`serve`'s builds, in this process: the render cache kept in memory; after a change a first pass
    (`first`: the changed studies' pages and the page looked at, rendered and built into the served
    site), then the whole site (`rest`, strict, swapped in; stopped when a newer change arrives)."""

    def __init__(self, out: Path, work: Path) -> None:
        self.live = LiveSite(out, work)
        self.memo = read_cache()
        self.later: list[Checked] = []  # valid files whose whole site is still to be built

    def first(self, checked: Checked, changed: list[Path], looked_at: str | None) -> None:
        self.later = [checked]
        if any(TEMPLATES in p.parents for p in changed):  # a template edited: the code version changed
            self.memo.salt = load_cache.code_version()
        if not (self.live.ready and changed):
            return
        self.memo.first = live.first_pages(changed, looked_at)
        try:
            r = build(checked, self.memo).rendered
            self.live.quick(r.files, r.nav, (checked.build_date, r.footer))
        finally:
            self.memo.first = None

    def rest(self, cancel: threading.Event) -> None:
        """Build the whole site, unless `cancel` is set first (a newer change: then stop)."""
        self.memo.first = functools.partial(live.go_on, cancel)  # rendering stops at the next page too
        try:
            for checked in self.later:
                r = build(checked, self.memo).rendered
                if self.live.full(r.files, r.nav, (checked.build_date, r.footer), {}, cancel) == 0:
                    print(f"built {len(checked.validated.studies)} studies into {self.live.out}/", file=sys.stderr)
            self.later = []
        except live.Cancelled:
            pass
        finally:
            self.memo.first = None


def pdf_bytes(html: str, memo: Memo | None = None) -> bytes:
    """The PDF of the print document `html`, from `memo` when the same document was printed before."""
    if memo is None:
        return make_pdf(html)[0]
    return base64.b64decode(memo.get("pdf", {"html": html}, lambda: base64.b64encode(make_pdf(html)[0]).decode()))


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("evsynth")
    except PackageNotFoundError:
        return publish_site.project_version()
