"""Load the controlled vocabulary shipped with the package (evsynth/vocabulary.yaml)."""

from __future__ import annotations

from functools import lru_cache

import yaml

from evsynth.core.paths import VOCABULARY
from evsynth.core.vocab import Vocabularies


@lru_cache(maxsize=1)
def load_vocabularies() -> Vocabularies:
    return Vocabularies(yaml.safe_load(VOCABULARY.read_text(encoding="utf-8")))
