"""Reading order for a page of positioned text lines.

Resumes often have a sidebar: reading such a page strictly top to bottom
interleaves the sidebar with the main column. We look for a vertical gutter
that few lines cross; lines crossing it (a full-width name or heading) split
the page into bands, and each band is read left column first.
"""

from __future__ import annotations

import itertools

Line = tuple[float, float, float, float, str]  # x0, top, x1, bottom, text

MIN_SIDE_LINES = 4
MAX_CROSSING_SHARE = 0.2
MIN_COLUMN_SHARE = 0.18
MIN_SIDEBAR_SHARE = 0.1  # a narrow left sidebar; on the right, narrow means right-aligned dates


def order_lines(lines: list[Line], page_width: float) -> list[str]:
    """Texts in reading order, lines on the same row joined by a tab."""
    gutter = find_gutter(lines, page_width)
    if gutter is None:
        return join_rows(lines)
    ordered: list[str] = []
    band: list[Line] = []
    for line in sorted(lines, key=lambda item: (item[1], item[0])):
        if line[0] < gutter < line[2]:
            ordered += read_band(band, gutter)
            ordered += join_rows([line])
            band = []
        else:
            band.append(line)
    return ordered + read_band(band, gutter)


def read_band(band: list[Line], gutter: float) -> list[str]:
    left = [line for line in band if line[2] <= gutter]
    right = [line for line in band if line[0] >= gutter]
    return join_rows(left) + join_rows(right)


def join_rows(lines: list[Line]) -> list[str]:
    """Top to bottom; lines whose vertical extents overlap form one row."""
    rows: list[list[Line]] = []
    for line in sorted(lines, key=lambda item: (item[1], item[0])):
        if rows and _same_row(rows[-1][-1], line):
            rows[-1].append(line)
        else:
            rows.append([line])
    return [_join_row(sorted(row, key=lambda item: item[0])) for row in rows]


def _join_row(row: list[Line]) -> str:
    """Words split by wide justified spacing rejoin with a space; far-apart cells with a tab."""
    text = row[0][4]
    for previous, line in itertools.pairwise(row):
        gap = line[0] - previous[2]
        text += (" " if gap < 2.5 * (line[3] - line[1]) else "\t") + line[4]
    return text


def _same_row(previous: Line, line: Line) -> bool:
    height = min(previous[3] - previous[1], line[3] - line[1]) or 1.0
    overlap = min(previous[3], line[3]) - max(previous[1], line[1])
    return overlap > 0.5 * height


def find_gutter(lines: list[Line], page_width: float) -> float | None:
    """The x position that best separates two real columns, if any."""
    if len(lines) < 2 * MIN_SIDE_LINES or page_width <= 0:
        return None
    best, best_crossing = None, None
    limit = MAX_CROSSING_SHARE * len(lines)
    x = page_width * 0.1
    while x < page_width * 0.8:
        crossing = sum(1 for line in lines if line[0] < x < line[2])
        fewer = best_crossing is None or crossing < best_crossing
        if crossing <= limit and fewer and _both_sides_are_columns(lines, x, page_width):
            best, best_crossing = x, crossing
        x += 4.0
    return best


def _both_sides_are_columns(lines: list[Line], x: float, page_width: float) -> bool:
    left = [line for line in lines if line[2] <= x]
    right = [line for line in lines if line[0] >= x]
    if len(left) < MIN_SIDE_LINES or len(right) < MIN_SIDE_LINES:
        return False
    for side, share in ((left, MIN_SIDEBAR_SHARE), (right, MIN_COLUMN_SHARE)):
        span = max(line[2] for line in side) - min(line[0] for line in side)
        if span < share * page_width:
            return False
    return True
