"""Join the parts of the print document (`pdf_parts`) into one tagged PDF with pikepdf.

Each part is a tagged PDF (PDF/UA-1) of its own. The joined document has their pages in order; one
structure tree (a `Document` element whose children are every part's, in order; each part's parent
tree keys moved past the earlier parts'); the named destinations of every part (a link into another
part names an anchor its own part does not hold, so it resolves only here); one outline made from the
parts' bookmarks with their levels; the catalog's language, title and metadata from the first part;
and the page numbers stamped on each page after the cover, marked as pagination artifacts.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from evsynth.publish import pdf_parts
from evsynth.publish.pdf_parts import Laid


def make_pdf(html: str, size: int = pdf_parts.PART_CHARS, workers: int = pdf_parts.WORKERS) -> tuple[bytes, int]:
    """The print document laid out in parts and joined: the PDF's bytes and its number of pages."""
    data, laid = build(html, size, workers)
    return data, sum(len(part.sizes) for part in laid)


def build(html: str, size: int = pdf_parts.PART_CHARS, workers: int = pdf_parts.WORKERS) -> tuple[bytes, list[Laid]]:
    """The joined PDF and its parts (which say what their worker processes used)."""
    laid, numbers = pdf_parts.lay_out_parts(html, size, workers)
    return join(laid, numbers), laid


def write_pdf(html: str, target: Path) -> int:
    """Lay out and write the PDF; returns the number of pages."""
    data, pages = make_pdf(html)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return pages


STAMP = b"Q\n/Artifact <</Type /Pagination /Subtype /Footer>> BDC q %s Do Q EMC\n"


def join(parts: list[Laid], numbers: list[bytes]) -> bytes:
    """One PDF of `parts` in order, the page numbers of `numbers` (PDFs of `pdf_parts.NUMBERS` pages,
    as many pages in all) stamped on it."""
    import pikepdf

    out = pikepdf.Pdf.new()
    document = out.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Document))
    document.K = pikepdf.Array()
    nums = pikepdf.Array()
    key = 0
    dests: dict[str, Any] = {}
    marks: list[tuple[int, str, int, float, float]] = []
    first = pikepdf.Pdf.open(io.BytesIO(parts[0].pdf))
    copied = 1
    for index, part in enumerate(parts):
        src = first if index == 0 else pikepdf.Pdf.open(io.BytesIO(part.pdf))
        start, elements = len(out.pages), len(document.K)
        out.pages.extend(src.pages)
        key += _tags(out, src, document, nums, key, start)
        _rename_ids(list(document.K)[elements:], f"{index}-")
        _dests(out, src, part, dests)
        marks += [(level, label, start + page, x, y) for level, label, page, x, y in part.bookmarks]
        if index:  # the first part's catalog is copied last
            copied = _own_streams(out, copied)
            src.close()  # its objects, parsed while copying, are freed: one part's at a time
    root = pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot, K=pikepdf.Array([document]))
    root.ParentTree = out.make_indirect(pikepdf.Dictionary(Nums=nums))
    root.ParentTreeNextKey = key
    out.Root.StructTreeRoot = document.P = out.make_indirect(root)
    _catalog(out, first, dests)
    _outline(out, marks)
    _stamp(out, [pikepdf.Pdf.open(io.BytesIO(n)) for n in numbers])
    buffer = io.BytesIO()
    out.save(buffer, min_version=first.pdf_version, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buffer.getvalue()


def _own_streams(out: Any, number: int) -> int:
    """The data of the streams copied since object `number` read into `out` (pikepdf reads a copied
    stream's data from its source only when writing), so that the source can be closed; the number
    of the next object to be copied."""
    import pikepdf

    end = len(out.objects)
    for n in range(number, end + 1):
        obj = out.get_object(n, 0)
        if isinstance(obj, pikepdf.Stream):
            how: dict[str, Any] = {"filter": obj.get("/Filter"), "decode_parms": obj.get("/DecodeParms")}
            obj.write(obj.read_raw_bytes(), **how)
    return end + 1


def _tags(out: Any, src: Any, document: Any, nums: Any, base: int, start: int) -> int:
    """Move the part's structure elements under `document` and its parent tree into `nums`, its keys
    (pages' `StructParents`, annotations' `StructParent`) plus `base`; the number of keys it used."""
    tree = out.copy_foreign(src.Root.StructTreeRoot)  # its pages are copied already: /Pg points at ours
    for kid in tree.K[0].K:
        kid.P = document
        document.K.append(kid)
    pairs = tree.ParentTree.Nums
    used = 0
    for i in range(0, len(pairs), 2):
        nums.append(base + int(pairs[i]))
        nums.append(pairs[i + 1])
        used = max(used, int(pairs[i]) + 1)
    for page in out.pages[start:]:
        if "/StructParents" in page.obj:
            page.obj.StructParents = base + int(page.obj.StructParents)
        for annotation in page.obj.get("/Annots", []):
            if "/StructParent" in annotation:
                annotation.StructParent = base + int(annotation.StructParent)
    return used


def _rename_ids(elements: Any, prefix: str) -> None:
    """The IDs of a part's table cells and the /Headers naming them, with the part's prefix: WeasyPrint
    makes them of a table's object number, which another part may use for another table."""
    import pikepdf

    stack: list[Any] = list(elements)
    while stack:
        element: Any = stack.pop()
        if "/ID" in element:
            element.ID = pikepdf.String(prefix + str(element.ID))
        attributes: Any = element.get("/A")
        for a in _listed(attributes):
            if isinstance(a, pikepdf.Dictionary) and "/Headers" in a:
                a.Headers = pikepdf.Array([pikepdf.String(prefix + str(h)) for h in _listed(a.Headers)])
        kids: Any = element.get("/K")
        for kid in _listed(kids):
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type", pikepdf.Name.StructElem) == "/StructElem":
                stack.append(kid)


def _listed(obj: Any) -> list[Any]:
    """A PDF array's items, or the one object that stands where an array may."""
    import pikepdf

    is_array = isinstance(obj, pikepdf.Array)
    items: Any = obj
    return list(items) if is_array else [obj]


def _dests(out: Any, src: Any, part: Laid, dests: dict[str, Any]) -> None:
    """The part's named destinations for the anchors it really holds (not the stand-ins it was given
    for links into other parts)."""
    if "/Names" not in src.Root or "/Dests" not in src.Root.Names:
        return
    names = _copy(out, src, src.Root.Names.Dests).Names
    for i in range(0, len(names), 2):
        name = str(names[i])
        if name in part.anchors and name not in dests:
            dests[name] = names[i + 1]


def _copy(out: Any, src: Any, obj: Any) -> Any:
    """`obj` of `src` copied into `out` (pikepdf copies only indirect objects between files)."""
    return out.copy_foreign(obj if obj.is_indirect else src.make_indirect(obj))


def _catalog(out: Any, first: Any, dests: dict[str, Any]) -> None:
    import pikepdf

    for key in ("/Lang", "/MarkInfo", "/ViewerPreferences", "/Metadata"):
        if key in first.Root:
            out.Root[key] = _copy(out, first, first.Root[key])
    out.docinfo = _copy(out, first, first.trailer.Info)
    tree = pikepdf.NameTree.new(out)
    for name in sorted(dests):
        tree[name] = dests[name]
    out.Root.Names = pikepdf.Dictionary(Dests=tree.obj)


def _outline(out: Any, marks: list[tuple[int, str, int, float, float]]) -> None:
    """The bookmarks of all parts as one outline, nested by their levels."""
    import pikepdf

    with out.open_outline() as outline:
        stack: list[tuple[int, list[Any]]] = [(0, outline.root)]
        for level, label, page, x, y in marks:
            while stack[-1][0] >= level:
                stack.pop()
            top = float(out.pages[page].mediabox[3]) - y
            item = pikepdf.OutlineItem(label, page, "XYZ", left=x, top=top, zoom=0)
            stack[-1][1].append(item)
            stack.append((level, item.children))


def _stamp(out: Any, numbers: list[Any]) -> None:
    """Each page's number (from the page of `numbers` at its index) drawn over it, the cover's
    excepted, as a pagination artifact."""
    import pikepdf

    for i, page in enumerate(out.pages):
        if i == 0:
            continue
        chunk = numbers[i // pdf_parts.NUMBERS]
        form = out.copy_foreign(chunk.pages[i % pdf_parts.NUMBERS].as_form_xobject())
        name = page.add_resource(form, pikepdf.Name.XObject, prefix="Num")
        page.contents_add(b"q\n", prepend=True)
        page.contents_add(STAMP % str(name).encode("ascii"), prepend=False)
