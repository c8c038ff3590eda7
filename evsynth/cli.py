"""The command line behind build.py: a thin layer over the pipeline stages."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from evsynth import pipeline
from evsynth.core import escape, schema
from evsynth.core.paths import ROOT
from evsynth.core.problems import Problem, format_problems, has_errors
from evsynth.load import files as load
from evsynth.publish.engine import ENGINES


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
    checked = pipeline.check_cached(args.evidence, args.references, files)
    from evsynth.render.pooling import own_problems, pooling_lines

    names = {load.display_path(f) for f in files}
    shown = own_problems(checked.problems, checked.validated.studies, names) if files else checked.problems
    code = report(shown, len(checked.validated.studies), not args.errors_only)
    for line in pooling_lines(checked.validated.studies, names) if not args.errors_only else []:
        print(line)
    return code


def cmd_diff(args: argparse.Namespace) -> int:
    found = pipeline.diff_report(args.evidence, args.references, args.base)
    if isinstance(found, Problem):
        print(f"build.py diff: {escape.terminal(found.message)}", file=sys.stderr)
        return 2
    sys.stdout.write(found)
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    target: Path = args.output or args.evidence / "study.schema.json"
    target.write_text(schema.schema_json(), encoding="utf-8")
    print(f"wrote {load.display_path(target)}")
    return 0


def build_if_valid(args: argparse.Namespace, build: Callable[[pipeline.Checked, argparse.Namespace], int]) -> int:
    """load -> validate; on any error report it and build nothing, else run `build`."""
    checked = pipeline.check_cached(args.evidence, args.references)
    if has_errors(checked.problems):
        return report(checked.problems, len(checked.validated.studies), warnings=False)
    return build(checked, args)


def build_site(checked: pipeline.Checked, args: argparse.Namespace) -> int:
    """synthesis -> cite -> render -> publish the site; the PDF goes into the same atomic build unless --no-pdf."""
    code = pipeline.build_and_publish(checked, args.out, args.work, not args.no_pdf, args.engine)
    if code == 0:
        print(f"built {len(checked.validated.studies)} studies into {load.display_path(args.out)}/", file=sys.stderr)
    return code


def build_pdf(checked: pipeline.Checked, args: argparse.Namespace) -> int:
    """The PDF on its own, outside any built site."""
    import time

    from evsynth.publish.pdf_join import write_pdf

    html = pipeline.print_html(checked, pipeline.build(checked), pipeline.version())
    start = time.perf_counter()
    pages = write_pdf(html, args.output)
    seconds = time.perf_counter() - start
    print(
        f"wrote {load.display_path(args.output)}: {pages} pages in {seconds:.1f} s "
        f"({seconds / max(pages, 1):.2f} s per page)",
        file=sys.stderr,
    )
    return 0


def cmd_site(args: argparse.Namespace) -> int:
    return build_if_valid(args, build_site)


def cmd_new(args: argparse.Namespace) -> int:
    from evsynth.tools.scaffold import Export, report_scaffold, scaffold

    source = next(
        (
            Export(path, fmt, args.pick)
            for fmt, path in (("bibtex", args.bibtex), ("ris", args.ris), ("csl-json", args.csl_json))
            if path
        ),
        None,
    )
    if source is None and args.pick is not None:
        print(
            "build.py new: --pick chooses a record of --bibtex, --ris or --csl-json: give one of them", file=sys.stderr
        )
        return 1
    return report_scaffold(*scaffold(args.study_id, args.evidence, args.references, source))


def cmd_synth(args: argparse.Namespace) -> int:
    from evsynth.tools.synthetic_evidence import synthesize_evidence

    studies, refs = synthesize_evidence(args.studies, args.evidence, args.references, args.out)
    print(f"wrote {studies} studies and {refs} references under {load.display_path(args.out)}/", file=sys.stderr)
    return 0


def cmd_pdf(args: argparse.Namespace) -> int:
    from evsynth.publish.serve import inside_built_site

    site = inside_built_site(args.output)
    if site is not None:
        print(
            f"build.py: {load.display_path(args.output)} is inside the built site {load.display_path(site)}/, "
            "whose PDF is written by `build.py site` together with the pages it matches: "
            "run `build.py site`, or give --output a path outside the site",
            file=sys.stderr,
        )
        return 1
    return build_if_valid(args, build_pdf)


def cmd_serve(args: argparse.Namespace) -> int:
    from evsynth.publish.serve import serve

    preview = pipeline.Preview(args.out, args.work)

    def rebuild(good: bool, changed: list[Path], looked_at: str | None) -> list[Problem]:
        """With errors, report them and keep the last good build (`good`), or, until there is one, build
        the valid studies only, so the pages and the field reference answer; else a first pass (Preview)."""
        checked = pipeline.check_cached(args.evidence, args.references)
        errors = [p for p in checked.problems if p.is_error]
        if errors:
            report(checked.problems, len(checked.validated.studies), warnings=False)
            if not good:
                build_valid_studies(checked, args)
            return errors
        preview.first(checked, changed, looked_at)
        return []

    watched = [args.evidence, args.references, ROOT / "site_src", ROOT / "mkdocs.yml"]
    return serve(args.out, args.port, watched, rebuild, preview.rest)


def build_valid_studies(checked: pipeline.Checked, args: argparse.Namespace) -> None:
    """A preview from the studies that passed validation (serve only, never `site`): the other pages
    and the field reference stay reachable while a file is being filled in."""
    try:
        build_site(checked, args)
    except Exception as exc:  # a stage trusting the invalid part of the evidence: say so, keep serving
        if args.debug or os.environ.get("EVSYNTH_DEBUG"):
            traceback.print_exc()
        print(f"build.py: no preview of the valid studies ({type(exc).__name__}: {exc})", file=sys.stderr)


def cmd_meta(args: argparse.Namespace) -> int:
    from evsynth.tools.meta import run_meta

    out, problems = run_meta(args.csv, args.tau2, args.ci, args.json, args.measure)
    if problems:
        return report(problems, None)
    sys.stdout.write(out)
    return 0


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--evidence",
        type=Path,
        default=ROOT / "evidence",
        metavar="DIR",
        help="folder of study files (default: evidence/)",
    )
    common.add_argument(
        "--references",
        type=Path,
        default=ROOT / "references",
        metavar="DIR",
        help="folder of BibTeX files (default: references/)",
    )
    common.add_argument("--debug", action="store_true", help="show a traceback on internal errors")
    p = argparse.ArgumentParser(
        prog="build.py", description="Build the evidence site for image-guided palliative treatment of bone metastases."
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_check(sub, common)
    _add_diff(sub, common)
    _add_site(sub, common)
    _add_pdf(sub, common)
    _add_serve(sub, common)
    _add_meta(sub, common)
    _add_new(sub, common)
    _add_synth(sub, common)
    _add_schema(sub, common)
    return p


def _add_check(sub: Any, common: argparse.ArgumentParser) -> None:
    c = sub.add_parser(
        "check",
        parents=[common],
        help="validate study files and references",
        description="Validate study files and references. Prints every problem as "
        "FILE:LINE:COL: [code] message (GitHub annotations when GITHUB_ACTIONS is set). "
        "Exit status 1 when there is an error; data-quality warnings do not fail.",
    )
    c.add_argument(
        "files", nargs="*", type=Path, metavar="FILE", help="study files to check (default: every file in --evidence)"
    )
    c.add_argument("--errors-only", action="store_true", help="do not print data-quality warnings")
    c.add_argument(
        "--changed",
        action="store_true",
        help="check the study files that differ from the main branch (committed, staged, "
        "unstaged or new), with the cross-file rules",
    )
    c.add_argument("--base", default="main", metavar="REF", help="branch to compare with (default main)")
    c.set_defaults(func=cmd_check)


def _add_diff(sub: Any, common: argparse.ArgumentParser) -> None:
    d = sub.add_parser(
        "diff",
        parents=[common],
        help="what your changes do to the evidence, in Markdown for the pull request",
        description="Compare the evidence and references on disk with where the current branch left REF "
        "(their merge base, read from git): studies added, removed or changed field by field, pooled "
        "results before and after, new or resolved discrepancies, new incomplete references, new "
        "problems. Prints Markdown; 'No change to the evidence.' when nothing changed. Exit status 2 "
        "when REF is unknown or the folder is not in a git repository.",
    )
    d.add_argument("--base", default="main", metavar="REF", help="branch or commit to compare with (default main)")
    d.set_defaults(func=cmd_diff)


def _add_site(sub: Any, common: argparse.ArgumentParser) -> None:
    s = sub.add_parser(
        "site",
        parents=[common],
        help="validate, then build the site into site/",
        description="Validate, generate the pages into build/docs and build the site.",
    )
    s.add_argument("--out", type=Path, default=ROOT / "site", metavar="DIR", help="output folder (default: site/)")
    s.add_argument(
        "--work", type=Path, default=ROOT / "build", metavar="DIR", help="folder of generated Markdown (default build/)"
    )
    s.add_argument("--no-pdf", action="store_true", help="skip the PDF (faster previews)")
    s.add_argument("--engine", choices=ENGINES, default="material", help="site generator (default: material)")
    s.set_defaults(func=cmd_site)


def _add_pdf(sub: Any, common: argparse.ArgumentParser) -> None:
    pd = sub.add_parser(
        "pdf",
        parents=[common],
        help="build the offline PDF of the whole site",
        description="Validate, then write the whole site as one PDF report (WeasyPrint).",
    )
    pd.add_argument(
        "--output",
        type=Path,
        default=ROOT / "build" / "evidence-synthesis.pdf",
        metavar="FILE",
        help="where to write it (default: build/evidence-synthesis.pdf); never "
        "inside a built site, whose PDF `site` writes with the pages it matches",
    )
    pd.set_defaults(func=cmd_pdf)


def _add_serve(sub: Any, common: argparse.ArgumentParser) -> None:
    v = sub.add_parser(
        "serve",
        parents=[common],
        help="build and serve the site locally, rebuilding on change",
        description="Build the site and serve it on http://127.0.0.1:PORT/, rebuilding "
        "when a study, reference or page changes.",
    )
    v.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    v.add_argument("--work", type=Path, default=ROOT / "build", metavar="DIR", help=argparse.SUPPRESS)
    v.add_argument("--out", type=Path, default=ROOT / "build" / "serve-site", metavar="DIR", help=argparse.SUPPRESS)
    v.add_argument("--no-pdf", action="store_true", default=True, help=argparse.SUPPRESS)
    v.set_defaults(func=cmd_serve, engine="material")


def _add_meta(sub: Any, common: argparse.ArgumentParser) -> None:
    m = sub.add_parser(
        "meta",
        parents=[common],
        help="random-effects meta-analysis of a CSV of proportions, means or mean changes",
        description="Pool a CSV by random effects: REML or DL tau^2, HKSJ or Wald CI, prediction interval, "
        "Q and I^2. --measure PLO (default): proportions from study,events,total on the logit scale with "
        "exact per-study CIs. MN: post-treatment means from study,mean,sd,n. MC: mean change before - after "
        "(a fall in pain is positive) from study,mean_pre,sd_pre,mean_post,sd_post,n,r; an empty r is "
        "assumed 0.5 and the result is also shown at r = 0.2 and 0.8. MN and MC stay on the score's own "
        "scale. --json prints measure, k, estimate, ci_low, ci_high, pi_low, pi_high, tau2 (logit scale for "
        "PLO), i2, q and each study.",
    )
    m.add_argument(
        "csv", type=Path, metavar="FILE.csv", help="CSV: study,events,total (PLO); study,mean,sd,n (MN); "
        "study,mean_pre,sd_pre,mean_post,sd_post,n,r (MC)"
    )  # fmt: skip
    m.add_argument(
        "--measure", choices=["PLO", "MN", "MC"], default="PLO",
        help="PLO proportions (default), MN post-treatment means, MC mean change before - after",
    )  # fmt: skip
    m.add_argument("--tau2", choices=["reml", "dl"], default="reml", help="between-study variance (default reml)")
    m.add_argument("--ci", choices=["hksj", "wald"], default="hksj", help="confidence interval (default hksj)")
    m.add_argument("--json", action="store_true", help="print JSON")
    m.set_defaults(func=cmd_meta)


def _add_new(sub: Any, common: argparse.ArgumentParser) -> None:
    n = sub.add_parser(
        "new",
        parents=[common],
        help="start a new study file from the commented template",
        description="Write evidence/STUDY-ID.yaml from a commented template (every field "
        "explained; TODO placeholders that check refuses until filled) and, with --bibtex, --ris or "
        "--csl-json, references/STUDY-ID.bib from the paper's reference as a reference manager or "
        "PubMed exports it. Never overwrites an existing study.",
    )
    n.add_argument("study_id", metavar="STUDY-ID", help="author-year in lower case, e.g. smith-2019")
    given = n.add_mutually_exclusive_group()
    given.add_argument("--bibtex", type=Path, metavar="FILE", help="a file holding the paper's BibTeX entry")
    given.add_argument("--ris", type=Path, metavar="FILE", help="an RIS export (PubMed, Zotero, EndNote, Mendeley)")
    given.add_argument("--csl-json", type=Path, metavar="FILE", help="a CSL-JSON export (Zotero, Mendeley)")
    n.add_argument("--pick", type=int, metavar="N", help="the file holds several references: use the N-th (from 1)")
    n.set_defaults(func=cmd_new)


def _add_synth(sub: Any, common: argparse.ArgumentParser) -> None:
    sy = sub.add_parser(
        "synth",
        parents=[common],
        help="write synthetic evidence for benchmarks",
        description="Write N synthetic study files (the shapes of the real ones, new ids, "
        "years and citation keys) to OUT/evidence and their references to OUT/references. "
        "For benchmarks only: the numbers are copies, not evidence.",
    )
    sy.add_argument("--studies", type=int, required=True, metavar="N", help="how many studies")
    sy.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    sy.set_defaults(func=cmd_synth)


def _add_schema(sub: Any, common: argparse.ArgumentParser) -> None:
    sc = sub.add_parser(
        "schema",
        parents=[common],
        help="write the JSON Schema for editors",
        description="Write the study JSON Schema (default: evidence/study.schema.json).",
    )
    sc.add_argument("--output", type=Path, metavar="FILE", help="where to write it")
    sc.set_defaults(func=cmd_schema)


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
        print(
            f"build.py: internal error ({type(exc).__name__}: {exc}). This is a bug in the build, "
            "not in your files; run again with --debug and report it.",
            file=sys.stderr,
        )
        return 2
