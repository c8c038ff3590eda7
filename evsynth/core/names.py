"""BibTeX text as plain text, and names in the medical style: shared by validation (which checks that
every field decodes) and the reference list (which prints them)."""

from __future__ import annotations

from functools import lru_cache

from pybtex.backends.plaintext import Backend as PlainText
from pybtex.database import Person
from pybtex.richtext import Text

# pybtex's render_as() looks its backend up through importlib.metadata on every call (about
# 20 ms each); one backend object does the same work without the lookup.
PLAIN = PlainText()


@lru_cache(maxsize=4096)
def _plain(latex: str) -> str:
    return str(Text.from_latex(latex).render(PLAIN)).strip()


def plain_text(latex: str) -> str:
    """A BibTeX field as the reference list prints it (check runs it on every field: odd LaTeX raises)."""
    return _plain(latex)


def vancouver_name(p: Person) -> str:
    """'Vallée J-N': surname, then initials without full stops."""
    if str(p) == "others":
        return "et al."
    last = _plain(" ".join(p.prelast_names + p.last_names))
    initials = "".join(  # 'J.-N.' and 'Jean-Noël' alike: 'J-N'
        "-".join(part.strip(". ")[:1] for part in _plain(n).split("-")) for n in p.first_names + p.middle_names
    )
    return f"{last} {initials}".strip()
