"""Stage 3, pool: proportions per study and random-effects meta-analysis on the logit scale.

Follows metafor (rma with measure "PLO"): 0.5 added to both cells only for studies with 0 or
n events (escalc's default), tau^2 by REML (Fisher scoring) or DerSimonian-Laird,
Hartung-Knapp-Sidik-Jonkman or Wald confidence intervals, prediction interval with the same
critical value, Q, I^2 from the typical within-study variance. Per-study intervals are exact
(Clopper-Pearson). Agreement with metafor is tested on committed reference values.

`random_effects` (yi, vi -> estimate, CI, PI, tau², I², Q) is the one random-effects core: the
proportions here and the continuous measures (MN, MC) in `continuous.py` go through it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

import numpy as np

Tau2Method = Literal["reml", "dl"]
CiMethod = Literal["hksj", "wald"]


@dataclass(frozen=True)
class StudyProportion:
    study: str
    events: int
    total: int
    label: str = ""

    @property
    def proportion(self) -> float:
        return self.events / self.total

    def exact_ci(self, level: float = 0.95) -> tuple[float, float]:
        """Clopper-Pearson interval."""
        a = (1 - level) / 2
        x, n = self.events, self.total
        from scipy import stats  # imported when first used: 0.5 s that `check` does not need

        lo = 0.0 if x == 0 else float(stats.beta.ppf(a, x, n - x + 1))
        hi = 1.0 if x == n else float(stats.beta.ppf(1 - a, x + 1, n - x))
        return lo, hi


@dataclass(frozen=True)
class Pooled:
    k: int
    estimate: float
    ci_low: float
    ci_high: float
    pi_low: float | None
    pi_high: float | None
    tau2: float
    i2: float
    q: float
    q_p: float | None
    tau2_method: str
    ci_method: str
    studies: tuple[StudyProportion, ...] = field(default=())
    cautions: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, object]:
        return {
            "k": self.k,
            "estimate": self.estimate,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "pi_low": self.pi_low,
            "pi_high": self.pi_high,
            "tau2": self.tau2,
            "i2": self.i2,
            "q": self.q,
            "q_p": self.q_p,
            "tau2_method": self.tau2_method,
            "ci_method": self.ci_method,
            "cautions": list(self.cautions),
            "studies": [
                {
                    "study": s.study,
                    "events": s.events,
                    "total": s.total,
                    "proportion": s.proportion,
                    "ci_low": s.exact_ci()[0],
                    "ci_high": s.exact_ci()[1],
                }
                for s in self.studies
            ],
        }


CONTINUITY = 0.5  # added to both cells of a study with 0% or 100% (metafor's escalc default)
FEW_STUDIES, FEW_PATIENTS = 3, 50  # below these the site cautions next to the number


def logit_effects(studies: Sequence[StudyProportion]) -> tuple[np.ndarray, np.ndarray]:
    """yi and vi as escalc(measure="PLO") with add=1/2, to="only0"."""
    x = np.array([s.events for s in studies], dtype=float)
    n = np.array([s.total for s in studies], dtype=float)
    zero = (x == 0) | (x == n)
    x = np.where(zero, x + CONTINUITY, x)
    m = np.where(zero, n - x + 1.0, n - x)  # non-events; n - (x + .5) + .5 + .5 when corrected
    return np.log(x / m), 1 / x + 1 / m


def tau2_dl(y: np.ndarray, v: np.ndarray) -> float:
    w = 1 / v
    mu = np.sum(w * y) / np.sum(w)
    q = float(np.sum(w * (y - mu) ** 2))
    c = float(np.sum(w) - np.sum(w**2) / np.sum(w))
    return max(0.0, (q - (len(y) - 1)) / c) if c > 0 else 0.0


def tau2_reml(y: np.ndarray, v: np.ndarray, tol: float = 1e-12, max_iter: int = 1000) -> float:
    """REML by Fisher scoring (metafor's algorithm), started at DerSimonian-Laird."""
    tau2 = tau2_dl(y, v)
    for _ in range(max_iter):
        adj = _reml_step(y, 1 / (v + tau2))
        while tau2 + adj < 0:
            adj /= 2
            if abs(adj) < tol:
                return 0.0
        tau2 += adj
        if abs(adj) < tol:
            break
    return max(0.0, tau2)


def _reml_step(y: np.ndarray, w: np.ndarray) -> float:
    """One Fisher scoring step, (y'PPy - tr P) / sum(P∘P), with P = W - ww'/sum(w) (the intercept-only
    model) summed in closed form: O(k), not the k x k matrix (at 2,500 studies, 6 million cells a step)."""
    total = float(np.sum(w))
    py = w * (y - float(np.sum(w * y)) / total)  # P @ y
    w2 = float(np.sum(w * w))
    trace = total - w2 / total
    squares = w2 - 2 * float(np.sum(w**3)) / total + w2 * w2 / total**2  # sum over i, j of P_ij²
    return (float(py @ py) - trace) / squares


@lru_cache(maxsize=16)
def z_critical(level: float) -> float:
    """The standard normal quantile of a two-sided `level` interval (1.96 for 0.95)."""
    from scipy import stats  # imported when first used: 0.5 s that `check` does not need

    return float(stats.norm.ppf(1 - (1 - level) / 2))


def expit(x: float) -> float:
    return 1 / (1 + math.exp(-x))


@dataclass(frozen=True)
class RandomEffects:
    """The shared random-effects result on the analysis scale (logit for PLO, the raw scale for MN, MC)."""

    k: int
    mu: float
    ci_low: float
    ci_high: float
    pi_low: float
    pi_high: float
    tau2: float
    i2: float
    q: float
    q_p: float


def random_effects(
    y: np.ndarray, v: np.ndarray, tau2_method: Tau2Method = "reml", ci_method: CiMethod = "hksj", level: float = 0.95
) -> RandomEffects:
    """rma(yi, vi, method=REML|DL, test=knha|z) for k >= 2: estimate, CI, PI, tau², I², Q."""
    k = len(y)
    if k < 2:
        raise ValueError("random-effects pooling needs at least two studies")
    from scipy import stats  # imported when first used: 0.5 s that `check` does not need

    tau2 = tau2_reml(y, v) if tau2_method == "reml" else tau2_dl(y, v)
    w = 1 / (v + tau2)
    mu = float(np.sum(w * y) / np.sum(w))
    if ci_method == "hksj":
        se = math.sqrt(float(np.sum(w * (y - mu) ** 2)) / ((k - 1) * float(np.sum(w))))
        crit = float(stats.t.ppf(1 - (1 - level) / 2, k - 1))
    else:
        se = math.sqrt(1 / float(np.sum(w)))
        crit = z_critical(level)
    q, i2 = _heterogeneity(y, v, tau2)
    half = crit * math.sqrt(se**2 + tau2)
    return RandomEffects(
        k=k, mu=mu, ci_low=mu - crit * se, ci_high=mu + crit * se, pi_low=mu - half, pi_high=mu + half,
        tau2=tau2, i2=i2, q=q, q_p=float(stats.chi2.sf(q, k - 1)),
    )  # fmt: skip


def pool_proportions(
    studies: Sequence[StudyProportion],
    tau2_method: Tau2Method = "reml",
    ci_method: CiMethod = "hksj",
    level: float = 0.95,
) -> Pooled:
    """Random-effects pooled proportion on the logit scale, back-transformed."""
    if not studies:
        raise ValueError("no studies to pool")
    if len(studies) == 1:
        return _single(studies[0], tau2_method, level)
    re = random_effects(*logit_effects(studies), tau2_method, ci_method, level)
    return Pooled(
        k=re.k, estimate=expit(re.mu), ci_low=expit(re.ci_low), ci_high=expit(re.ci_high),
        pi_low=expit(re.pi_low), pi_high=expit(re.pi_high), tau2=re.tau2, i2=re.i2, q=re.q,
        q_p=re.q_p, tau2_method=tau2_method, ci_method=ci_method,
        studies=tuple(studies), cautions=_cautions(studies),
    )  # fmt: skip


def _single(only: StudyProportion, tau2_method: Tau2Method, level: float) -> Pooled:
    """One study: its own proportion with its exact interval, never a pooled value."""
    lo, hi = only.exact_ci(level)
    return Pooled(
        k=1, estimate=only.proportion, ci_low=lo, ci_high=hi, pi_low=None, pi_high=None, tau2=0.0, i2=0.0,
        q=0.0, q_p=None, tau2_method=tau2_method, ci_method="exact", studies=(only,), cautions=_cautions([only]),
    )  # fmt: skip


def _heterogeneity(y: Any, v: Any, tau2: float) -> tuple[float, float]:
    """Cochran's Q (fixed-effect weights) and I² from tau² and the typical within-study variance."""
    k = len(y)
    wf = 1 / v
    mu_fe = np.sum(wf * y) / np.sum(wf)
    q = float(np.sum(wf * (y - mu_fe) ** 2))
    s2 = (k - 1) * np.sum(wf) / (np.sum(wf) ** 2 - np.sum(wf**2))
    i2 = 100 * tau2 / (tau2 + s2) if tau2 + s2 > 0 else 0.0
    return q, float(i2)


def _cautions(studies: Sequence[StudyProportion]) -> tuple[str, ...]:
    out = []
    if len(studies) == 1:
        out.append("a single study: its own proportion with an exact interval, not a pooled estimate")
    elif len(studies) < FEW_STUDIES:
        out.append(f"only {len(studies)} studies: the pooled value and its interval are unreliable")
    if sum(s.total for s in studies) < FEW_PATIENTS:
        out.append(f"sparse data: {sum(s.total for s in studies)} patients in all")
    if len(studies) > 1 and any(s.events in (0, s.total) for s in studies):
        out.append(f"a study with 0% or 100%: {CONTINUITY:g} was added to both cells of that study")
    return tuple(out)
