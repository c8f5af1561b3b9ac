"""Read a printed PDF back with poppler and say what breaks GB/T 9704 as the document module applies it.

`problems(pdf, title=…, texts=…)` lists every broken rule (empty: the PDF passes); `check(...)` asserts
there is none. The rules:
- every page A4 portrait (pdfinfo);
- every font embedded (pdffonts: emb = yes), and at least one font;
- the text printed is there (pdftotext -raw, in drawing order, whitespace ignored);
- every glyph box of the body inside the type area (left 28 mm, top 37 mm, 156 × 225 mm) ± 1 mm;
- on every page one page number “— N —” (N the page's number), its top 7 mm (± 1 mm) below the type
  area, one 4号 character in from the type area's right edge on odd pages, from its left edge on even ones;
- the title's lines at the top of page 1, each centred on the type area (± 1 mm);
- the closing (contact line, issuing unit, date: `closing=`) never alone on a page: the page that holds it
  holds some of the body too (GB/T 9704 7.3.5).
Coordinates are poppler's: points, origin at the top left of the page.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

MM = 72 / 25.4
A4 = (595.276, 841.89)
X0, X1 = 28 * MM, (28 + 156) * MM
Y0, Y1 = 37 * MM, (37 + 225) * MM
TOL = 1 * MM
PAGE_NO_GAP = 7 * MM
PAGE_NO_CHAR = 14  # one 4号 character
TOOLS = ("pdfinfo", "pdffonts", "pdftotext")


@dataclass(frozen=True)
class Line:
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str  # its words joined by single spaces


def _run(*args: str) -> str:
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        raise RuntimeError(f"poppler-utils is missing ({', '.join(missing)}): scripts/test.sh installs it as root; "
                           "else apt-get install poppler-utils")
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def _with_file(pdf: bytes | Path, fn):
    if isinstance(pdf, (str, Path)):
        return fn(str(pdf))
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(pdf)
        fh.flush()
        return fn(fh.name)


_LINE = re.compile(r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</line>', re.S)
_WORD = re.compile(r"<word [^>]*>(.*?)</word>", re.S)


def lines_of(path: str) -> list[Line]:
    out = _run("pdftotext", "-bbox-layout", path, "-")
    result = []
    for number, page in enumerate(out.split("<page ")[1:], start=1):
        for m in _LINE.finditer(page):
            words = [html.unescape(w) for w in _WORD.findall(m.group(5))]
            result.append(Line(number, *(float(m.group(i)) for i in range(1, 5)), " ".join(words)))
    return result


def page_sizes(path: str) -> list[tuple[float, float]]:
    info = _run("pdfinfo", path)
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    info = _run("pdfinfo", "-f", "1", "-l", str(pages), path)
    return [(float(w), float(h)) for w, h in re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info, re.M)]


def fonts_of(path: str) -> list[tuple[str, str]]:
    """(font name, emb) per font, from pdffonts' table."""
    rows = _run("pdffonts", path).splitlines()[2:]
    result = []
    for row in rows:
        cells = row.split()
        # columns from the right: object ID (2 cells), uni, sub, emb
        result.append((cells[0], cells[-5]))
    return result


def raw_text(path: str) -> str:
    return _run("pdftotext", "-raw", path, "-")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _page_number_problems(page: int, lines: list[Line]) -> list[str]:
    below = [ln for ln in lines if ln.y0 > Y1 + TOL]
    if len(below) != 1:
        return [f"第{page}页：版心下方应有且只有一行页码，实有 {len(below)} 行"]
    ln = below[0]
    problems = []
    if _squash(ln.text) != f"—{page}—":
        problems.append(f"第{page}页：页码应为“— {page} —”，实为“{ln.text}”")
    if abs(ln.y0 - (Y1 + PAGE_NO_GAP)) > TOL:
        problems.append(f"第{page}页：页码上距版心下边缘 {(ln.y0 - Y1) / MM:.1f} mm，应为 7 mm")
    if page % 2:
        if abs(ln.x1 - (X1 - PAGE_NO_CHAR)) > TOL:
            problems.append(f"第{page}页（单页）：页码应居右空一字，其右端距版心右边缘 {(X1 - ln.x1) / MM:.1f} mm")
    elif abs(ln.x0 - (X0 + PAGE_NO_CHAR)) > TOL:
        problems.append(f"第{page}页（双页）：页码应居左空一字，其左端距版心左边缘 {(ln.x0 - X0) / MM:.1f} mm")
    return problems


def _title_problems(title: str, lines: list[Line]) -> list[str]:
    first = sorted((ln for ln in lines if ln.page == 1), key=lambda ln: ln.y0)
    rest, problems, found = _squash(title), [], False
    centre = (X0 + X1) / 2
    for ln in first:
        text = _squash(ln.text)
        if not rest:
            break
        if not text or not rest.startswith(text):
            break
        found = True
        rest = rest[len(text):]
        mid = (ln.x0 + ln.x1) / 2
        if abs(mid - centre) > TOL:
            problems.append(f"标题“{ln.text}”未居中：偏离版心中线 {(mid - centre) / MM:.1f} mm")
    if not found or rest:
        problems.append(f"第1页顶部没有标题“{title}”")
    return problems


def _closing_problems(closing: tuple[str, ...] | list[str], lines: list[Line], pages: int) -> list[str]:
    parts = [_squash(t) for t in closing]

    def is_closing(ln: Line) -> bool:
        text = _squash(ln.text)
        return any(text and text in part for part in parts)

    problems = []
    for n in range(1, pages + 1):
        body = [ln for ln in lines if ln.page == n and ln.y0 <= Y1 + TOL]
        if body and all(is_closing(ln) for ln in body):
            problems.append(f"第{n}页只有落款（{'、'.join(ln.text for ln in body)[:40]}），没有正文")
    return problems


def problems(pdf: bytes | Path, *, title: str | None = None, texts: tuple[str, ...] | list[str] = (),
             closing: tuple[str, ...] | list[str] = ()) -> list[str]:
    """Every rule the PDF breaks, in Chinese (empty when it passes)."""

    def run(path: str) -> list[str]:
        found: list[str] = []
        sizes = page_sizes(path)
        for n, (w, h) in enumerate(sizes, start=1):
            if abs(w - A4[0]) > 1 or abs(h - A4[1]) > 1:
                found.append(f"第{n}页不是A4纵向：{w:.1f} × {h:.1f} pt")
        fonts = fonts_of(path)
        if not fonts:
            found.append("没有任何字体（文字未以文字形式输出）")
        found += [f"字体 {name} 未嵌入" for name, emb in fonts if emb != "yes"]
        raw = _squash(raw_text(path))
        found += [f"文字“{t}”未印出" for t in texts if _squash(t) not in raw]
        lines = lines_of(path)
        for n in range(1, len(sizes) + 1):
            on_page = [ln for ln in lines if ln.page == n]
            for ln in on_page:
                if ln.y0 > Y1 + TOL:
                    continue  # the page number's line, checked below
                if ln.x0 < X0 - TOL or ln.x1 > X1 + TOL or ln.y0 < Y0 - TOL or ln.y1 > Y1 + TOL:
                    found.append(f"第{n}页：“{ln.text[:20]}”超出版心（{ln.x0 / MM:.1f}–{ln.x1 / MM:.1f} mm, "
                                 f"{ln.y0 / MM:.1f}–{ln.y1 / MM:.1f} mm）")
            found += _page_number_problems(n, on_page)
        if title is not None:
            found += _title_problems(title, lines)
        if closing:
            found += _closing_problems(closing, lines, len(sizes))
        return found

    return _with_file(pdf, run)


def check(pdf: bytes | Path, *, title: str | None = None, texts: tuple[str, ...] | list[str] = (),
          closing: tuple[str, ...] | list[str] = ()) -> int:
    """Assert the PDF passes every rule; returns its number of pages."""
    found = problems(pdf, title=title, texts=texts, closing=closing)
    assert not found, "\n".join(found)
    return _with_file(pdf, lambda path: len(page_sizes(path)))
