"""Random-effects meta-analysis of continuous outcomes on their own scale (no back-transformation).

- "MN", the mean of post-treatment scores: yi = mean, vi = sd² / n (metafor's escalc "MN");
- "MC", the mean change before − after, so a fall in pain is positive: yi = mean_pre − mean_post,
  vi = (sd_pre² + sd_post² − 2 r sd_pre sd_post) / n (escalc "MC" with m1i = before, m2i = after, ri = r).

Where a study does not print the before-after correlation r, ASSUMED_R is used and said;
`change_sensitivity` pools again at each of SENSITIVITY_R so the site can state how much it matters.
Pooling is `pool.random_effects`, the same core as for proportions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from evsynth.synthesis.pool import FEW_STUDIES, CiMethod, RandomEffects, Tau2Method, random_effects, z_critical

ContinuousMeasure = Literal["MN", "MC"]
ASSUMED_R = 0.5  # before-after correlation where a study does not print it
SENSITIVITY_R = (0.2, 0.5, 0.8)  # the assumed value and the range around it


@dataclass(frozen=True)
class StudyMean:
    """A post-treatment mean score with its SD and the number of patients it describes."""

    study: str
    mean: float
    sd: float
    n: int

    def effect(self, assumed_r: float = ASSUMED_R) -> tuple[float, float]:
        """yi and vi as escalc(measure="MN"); assumed_r plays no part."""
        return self.mean, self.sd**2 / self.n

    def as_dict(self, assumed_r: float = ASSUMED_R) -> dict[str, object]:
        return {"study": self.study, "mean": self.mean, "sd": self.sd, "n": self.n}


@dataclass(frozen=True)
class StudyChange:
    """Mean scores before and after in the same n patients; r None when the paper does not print it."""

    study: str
    mean_pre: float
    sd_pre: float
    mean_post: float
    sd_post: float
    n: int
    r: float | None = None

    def effect(self, assumed_r: float = ASSUMED_R) -> tuple[float, float]:
        """yi = before − after and vi as escalc(measure="MC", m1i=before, m2i=after, ri=r)."""
        r = assumed_r if self.r is None else self.r
        var = self.sd_pre**2 + self.sd_post**2 - 2 * r * self.sd_pre * self.sd_post
        return self.mean_pre - self.mean_post, var / self.n

    def as_dict(self, assumed_r: float = ASSUMED_R) -> dict[str, object]:
        return {
            "study": self.study, "mean_pre": self.mean_pre, "sd_pre": self.sd_pre, "mean_post": self.mean_post,
            "sd_post": self.sd_post, "n": self.n, "r": self.r, "r_used": assumed_r if self.r is None else self.r,
        }  # fmt: skip


ContinuousStudy = StudyMean | StudyChange


@dataclass(frozen=True)
class PooledContinuous:
    measure: ContinuousMeasure
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
    assumed_r: float | None  # the r put in for studies that do not print one (None: none needed it)
    studies: tuple[ContinuousStudy, ...] = field(default=())
    cautions: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"measure": self.measure}
        for key in ("k", "estimate", "ci_low", "ci_high", "pi_low", "pi_high", "tau2", "i2", "q", "q_p"):
            out[key] = getattr(self, key)
        out |= {"tau2_method": self.tau2_method, "ci_method": self.ci_method, "assumed_r": self.assumed_r}
        out["cautions"] = list(self.cautions)
        out["studies"] = [self.study_row(s) for s in self.studies]
        return out

    def study_row(self, s: ContinuousStudy, level: float = 0.95) -> dict[str, object]:
        """One study's own value (mean or change) with its normal-theory interval."""
        yi, vi = s.effect(ASSUMED_R if self.assumed_r is None else self.assumed_r)
        half = z_critical(level) * math.sqrt(vi)
        return s.as_dict(ASSUMED_R if self.assumed_r is None else self.assumed_r) | {
            "estimate": yi, "variance": vi, "ci_low": yi - half, "ci_high": yi + half,
        }  # fmt: skip


def effects(studies: Sequence[ContinuousStudy], assumed_r: float = ASSUMED_R) -> tuple[np.ndarray, np.ndarray]:
    """yi and vi for every study; a study whose variance is not positive is refused."""
    pairs = [s.effect(assumed_r) for s in studies]
    y = np.array([p[0] for p in pairs], dtype=float)
    v = np.array([p[1] for p in pairs], dtype=float)
    bad = [s.study for s, vi in zip(studies, v, strict=True) if not (math.isfinite(vi) and vi > 0)]
    if bad or not np.all(np.isfinite(y)):
        raise ValueError(f"no positive, finite sampling variance (or no finite value) for: {', '.join(bad)}")
    return y, v


def measure_of(studies: Sequence[ContinuousStudy]) -> ContinuousMeasure:
    if all(isinstance(s, StudyMean) for s in studies):
        return "MN"
    if all(isinstance(s, StudyChange) for s in studies):
        return "MC"
    raise ValueError("post-treatment means (MN) and mean changes (MC) cannot be pooled together")


def pool_continuous(
    studies: Sequence[ContinuousStudy],
    tau2_method: Tau2Method = "reml",
    ci_method: CiMethod = "hksj",
    level: float = 0.95,
    assumed_r: float = ASSUMED_R,
) -> PooledContinuous:
    """Random-effects pooled mean (MN) or mean change (MC) on the measure's own scale."""
    if not studies:
        raise ValueError("no studies to pool")
    y, v = effects(studies, assumed_r)
    used = assumed_r if any(isinstance(s, StudyChange) and s.r is None for s in studies) else None
    if len(studies) == 1:
        half = z_critical(level) * math.sqrt(float(v[0]))
        mu = float(y[0])
        re = RandomEffects(1, mu, mu - half, mu + half, math.nan, math.nan, 0.0, 0.0, 0.0, math.nan)
    else:
        re = random_effects(y, v, tau2_method, ci_method, level)
    one = re.k == 1
    return PooledContinuous(
        measure=measure_of(studies), k=re.k, estimate=re.mu, ci_low=re.ci_low, ci_high=re.ci_high,
        pi_low=None if one else re.pi_low, pi_high=None if one else re.pi_high, tau2=re.tau2, i2=re.i2,
        q=re.q, q_p=None if one else re.q_p, tau2_method=tau2_method, ci_method="normal" if one else ci_method,
        assumed_r=used, studies=tuple(studies), cautions=_cautions(studies, used),
    )  # fmt: skip


def pool_means(
    studies: Sequence[StudyMean], tau2_method: Tau2Method = "reml", ci_method: CiMethod = "hksj"
) -> PooledContinuous:
    """Pooled post-treatment mean (metafor measure "MN")."""
    return pool_continuous(studies, tau2_method, ci_method)


def pool_changes(
    studies: Sequence[StudyChange],
    tau2_method: Tau2Method = "reml",
    ci_method: CiMethod = "hksj",
    assumed_r: float = ASSUMED_R,
) -> PooledContinuous:
    """Pooled mean change before − after (metafor measure "MC"), assumed_r where r is not printed."""
    return pool_continuous(studies, tau2_method, ci_method, assumed_r=assumed_r)


def change_sensitivity(
    studies: Sequence[StudyChange],
    tau2_method: Tau2Method = "reml",
    ci_method: CiMethod = "hksj",
    values: Sequence[float] = SENSITIVITY_R,
) -> dict[float, PooledContinuous]:
    """The pooled mean change with each assumed r (for the studies that do not print one)."""
    return {r: pool_changes(studies, tau2_method, ci_method, r) for r in values}


def _cautions(studies: Sequence[ContinuousStudy], assumed_r: float | None) -> tuple[str, ...]:
    out = []
    if len(studies) == 1:
        out.append("a single study: its own value with a normal interval, not a pooled estimate")
    elif len(studies) < FEW_STUDIES:
        out.append(f"only {len(studies)} studies: the pooled value and its interval are unreliable")
    if assumed_r is not None:
        missing = sum(isinstance(s, StudyChange) and s.r is None for s in studies)
        others = ", ".join(f"{r:g}" for r in SENSITIVITY_R if r != assumed_r)
        out.append(
            f"before-after correlation not reported by {missing} of {len(studies)} studies: r = {assumed_r:g} "
            f"assumed (sensitivity: r = {others})"
        )
    return tuple(out)
