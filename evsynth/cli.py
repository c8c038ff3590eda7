"""The command line behind build.py: a thin layer over the pipeline stages."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from evsynth.load import files as load

from evsynth.core import schema
from evsynth.core.anchors import study_anchor
from evsynth.validate.inputrules import Deadline
from evsynth.core.problems import Problem, format_problems, has_errors
from evsynth.validate.checks import Validated, validate_evidence
from evsynth.load.yamlio import Document

from evsynth.core.paths import ROOT  # noqa: E402


@dataclass
class Inputs:
    """Everything loaded and validated from an evidence folder and a references folder."""

    validated: Validated
    load_problems: list[Problem]
    bib: load.Bibliography
    history: list[Any] | None = None
    build_date: str | None = None  # of the evidence (last commit, else latest extraction), never the clock

    @property
    def problems(self) -> list[Problem]:
        return self.load_problems + self.validated.problems


def gather(evidence: Path, references: Path, files: Sequence[Path] | None = None) -> Inputs:
    """load -> validate, for every study file (or only `files`, checked against the rest)."""
    paths = list(files) if files else load.study_paths(evidence)
    deadline = Deadline(len(paths))
    raw, problems = load.read_files(paths, load.STUDY_SUFFIX)
    docs, parse_problems = load.load_studies(raw, deadline)
    bib_raw, bib_read = load.read_files(load.bib_paths(references), load.BIB_SUFFIX)
    bib, bib_problems = load.load_bibliography(bib_raw)
    validated = validate_evidence(docs, bib, deadline=deadline)
    if files:
        validated.problems += _clashes(validated, evidence, paths) + _anchor_clashes(docs, evidence, paths)
    from evsynth.load.history import evidence_history, last_evidence_date
    history = evidence_history(evidence) if evidence.is_dir() else None
    dates = [str(s.extraction.get("date")) for s in validated.studies]
    when = (last_evidence_date(evidence) if evidence.is_dir() else None) or (max(dates) if dates else None)
    return Inputs(validated, problems + parse_problems + bib_read + bib_problems, bib, history, when)


def _clashes(validated: Validated, evidence: Path, checked: Sequence[Path]) -> list[Problem]:
    """A checked file outside the evidence folder must not reuse the id of a study in it."""
    inside = {p.resolve() for p in load.study_paths(evidence) if p.suffix == load.STUDY_SUFFIX}
    stems = {p.stem for p in inside}
    own = {p.resolve() for p in checked}
    out = []
    for s in validated.studies:
        if s.id in stems and (evidence / f"{s.id}.yaml").resolve() not in own:
            out.append(Problem(s.path, 1, 1, "duplicate-id", f"id `{s.id}` is already used by "
                               f"{load.display_path(evidence / (s.id + '.yaml'))}: choose another id"))
    return out


def _anchor_clashes(docs: list[Document], evidence: Path, checked: Sequence[Path]) -> list[Problem]:
    """A checked file's id must not share a link anchor with another study already in the evidence folder."""
    own = {p.resolve() for p in checked}
    folder = {study_anchor(p.stem): p for p in load.study_paths(evidence) if p.resolve() not in own}
    out = []
    for d in docs:
        sid = d.data.get("id") if isinstance(d.data, dict) else None
        other = folder.get(study_anchor(sid)) if isinstance(sid, str) else None
        if other is not None and other.stem != sid:
            line, col = d.pos(("id",))
            out.append(Problem(d.path, line, col, "anchor-clash", f"study id `{sid}` and `{other.stem}` "
                               f"({load.display_path(other)}) become the same link anchor: rename one"))
    return out


def report(problems: Sequence[Problem], studies: int | None, warnings: bool = True) -> int:
    shown = [p for p in problems if warnings or p.is_error]
    for line in format_problems(shown):
        print(line)
    errors = sum(p.is_error for p in problems)
    warns = len(problems) - errors
    what = "" if studies is None else f"checked {studies} {'study' if studies == 1 else 'studies'}: "
    print(f"{what}{errors} error(s), {warns} data-quality warning(s)", file=sys.stderr)
    return 1 if has_errors(problems) else 0


def cmd_check(args: argparse.Namespace) -> int:
    files = list(args.files)
    if args.changed:
        from evsynth.load.history import changed_studies
        changed, problems = changed_studies(args.evidence, args.base)
        if problems:
            return report(problems, 0)
        if not changed and not files:
            print(f"no study file differs from {args.base}", file=sys.stderr)
            return 0
        files += changed
    inputs = gather(args.evidence, args.references, files)
    return report(inputs.problems, len(inputs.validated.studies), not args.errors_only)


def cmd_schema(args: argparse.Namespace) -> int:
    target: Path = args.output or args.evidence / "study.schema.json"
    target.write_text(schema.schema_json(), encoding="utf-8")
    print(f"wrote {load.display_path(target)}")
    return 0


def build_if_valid(args: argparse.Namespace, build: Callable[[Inputs, argparse.Namespace], int]) -> int:
    """load -> validate; on any error report it and build nothing, else run `build`."""
    inputs = gather(args.evidence, args.references)
    if has_errors(inputs.problems):
        return report(inputs.problems, len(inputs.validated.studies), warnings=False)
    return build(inputs, args)


def cmd_site(args: argparse.Namespace) -> int:
    from evsynth.publish.serve import build_site
    return build_if_valid(args, build_site)


def cmd_new(args: argparse.Namespace) -> int:
    from evsynth.tools.scaffold import report_scaffold, scaffold
    return report_scaffold(*scaffold(args.study_id, args.evidence, args.references, args.bibtex))


def cmd_synth(args: argparse.Namespace) -> int:
    from evsynth.tools.synthetic_evidence import synthesize_evidence
    studies, refs = synthesize_evidence(args.studies, args.evidence, args.references, args.out)
    print(f"wrote {studies} studies and {refs} references under {load.display_path(args.out)}/", file=sys.stderr)
    return 0


def cmd_pdf(args: argparse.Namespace) -> int:
    from evsynth.publish.serve import build_pdf, inside_built_site
    site = inside_built_site(args.output)
    if site is not None:
        print(f"build.py: {load.display_path(args.output)} is inside the built site {load.display_path(site)}/, "
              "whose PDF is written by `build.py site` together with the pages it matches: "
              "run `build.py site`, or give --output a path outside the site", file=sys.stderr)
        return 1
    return build_if_valid(args, build_pdf)


def cmd_serve(args: argparse.Namespace) -> int:
    from evsynth.publish.serve import serve_site
    return serve_site(args, lambda: gather(args.evidence, args.references))


def cmd_meta(args: argparse.Namespace) -> int:
    from evsynth.tools.meta import run_meta
    out, problems = run_meta(args.csv, args.tau2, args.ci, args.json)
    if problems:
        return report(problems, None)
    sys.stdout.write(out)
    return 0


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--evidence", type=Path, default=ROOT / "evidence", metavar="DIR",
                        help="folder of study files (default: evidence/)")
    common.add_argument("--references", type=Path, default=ROOT / "references", metavar="DIR",
                        help="folder of BibTeX files (default: references/)")
    common.add_argument("--debug", action="store_true", help="show a traceback on internal errors")
    p = argparse.ArgumentParser(prog="build.py", description="Build the evidence site for image-guided "
                                "palliative treatment of bone metastases.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    c = sub.add_parser("check", parents=[common], help="validate study files and references",
                       description="Validate study files and references. Prints every problem as "
                       "FILE:LINE:COL: [code] message (GitHub annotations when GITHUB_ACTIONS is set). "
                       "Exit status 1 when there is an error; data-quality warnings do not fail.")
    c.add_argument("files", nargs="*", type=Path, metavar="FILE",
                   help="study files to check (default: every file in --evidence)")
    c.add_argument("--errors-only", action="store_true", help="do not print data-quality warnings")
    c.add_argument("--changed", action="store_true",
                   help="check the study files that differ from the main branch (committed, staged, "
                   "unstaged or new), with the cross-file rules")
    c.add_argument("--base", default="main", metavar="REF", help="branch to compare with (default main)")
    c.set_defaults(func=cmd_check)
    s = sub.add_parser("site", parents=[common], help="validate, then build the site into site/",
                       description="Validate, generate the pages into build/docs and build the site.")
    s.add_argument("--out", type=Path, default=ROOT / "site", metavar="DIR", help="output folder (default: site/)")
    s.add_argument("--work", type=Path, default=ROOT / "build", metavar="DIR",
                   help="folder for generated Markdown (default: build/)")
    s.add_argument("--no-pdf", action="store_true", help="skip the PDF (faster previews)")
    s.set_defaults(func=cmd_site)
    pd = sub.add_parser("pdf", parents=[common], help="build the offline PDF of the whole site",
                        description="Validate, then write the whole site as one PDF report (WeasyPrint).")
    pd.add_argument("--output", type=Path, default=ROOT / "build" / "evidence-synthesis.pdf",
                    metavar="FILE", help="where to write it (default: build/evidence-synthesis.pdf); never "
                    "inside a built site, whose PDF `site` writes with the pages it matches")
    pd.set_defaults(func=cmd_pdf)
    v = sub.add_parser("serve", parents=[common], help="build and serve the site locally, rebuilding on change",
                       description="Build the site and serve it on http://127.0.0.1:PORT/, rebuilding "
                       "when a study, reference or page changes.")
    v.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    v.add_argument("--work", type=Path, default=ROOT / "build", metavar="DIR", help=argparse.SUPPRESS)
    v.add_argument("--out", type=Path, default=ROOT / "build" / "serve-site", metavar="DIR", help=argparse.SUPPRESS)
    v.add_argument("--no-pdf", action="store_true", default=True, help=argparse.SUPPRESS)
    v.set_defaults(func=cmd_serve)
    m = sub.add_parser("meta", parents=[common], help="random-effects meta-analysis of a CSV of proportions",
                       description="Pool proportions from a CSV with columns study,events,total: logit "
                       "scale, exact per-study CIs, REML or DL tau^2, HKSJ or Wald CI, prediction interval. "
                       "--json prints k, estimate, ci_low, ci_high, pi_low, pi_high (proportion scale), tau2 "
                       "(logit scale), i2, q and each study's proportion with its exact CI.")
    m.add_argument("csv", type=Path, metavar="FILE.csv", help="CSV with columns study,events,total")
    m.add_argument("--tau2", choices=["reml", "dl"], default="reml", help="between-study variance (default reml)")
    m.add_argument("--ci", choices=["hksj", "wald"], default="hksj", help="confidence interval (default hksj)")
    m.add_argument("--json", action="store_true", help="print JSON")
    m.set_defaults(func=cmd_meta)
    n = sub.add_parser("new", parents=[common], help="start a new study file from the commented template",
                       description="Write evidence/STUDY-ID.yaml from a commented template (every field "
                       "explained; TODO placeholders that check refuses until filled) and, with --bibtex, "
                       "references/STUDY-ID.bib. Never overwrites an existing study.")
    n.add_argument("study_id", metavar="STUDY-ID", help="author-year in lower case, e.g. smith-2019")
    n.add_argument("--bibtex", type=Path, metavar="FILE", help="a file holding the paper's BibTeX entry")
    n.set_defaults(func=cmd_new)
    sy = sub.add_parser("synth", parents=[common], help="write synthetic evidence for benchmarks",
                        description="Write N synthetic study files (the shapes of the real ones, new ids, "
                        "years and citation keys) to OUT/evidence and their references to OUT/references. "
                        "For benchmarks only: the numbers are copies, not evidence.")
    sy.add_argument("--studies", type=int, required=True, metavar="N", help="how many studies")
    sy.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    sy.set_defaults(func=cmd_synth)
    sc = sub.add_parser("schema", parents=[common], help="write the JSON Schema for editors",
                        description="Write the study JSON Schema (default: evidence/study.schema.json).")
    sc.add_argument("--output", type=Path, metavar="FILE", help="where to write it")
    sc.set_defaults(func=cmd_schema)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug, not bad input: say so briefly
        if args.debug or os.environ.get("EVSYNTH_DEBUG"):
            traceback.print_exc()
        print(f"build.py: internal error ({type(exc).__name__}: {exc}). This is a bug in the build, "
              "not in your files; run again with --debug and report it.", file=sys.stderr)
        return 2
