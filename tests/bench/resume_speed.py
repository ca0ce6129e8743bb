"""Resume parse time per file and per page, by format, against pdfminer.six's bare extract_text.

    .venv/bin/python tests/bench/resume_speed.py [rounds]

parse_resume goes through the worker pool (format check, pipe, limits,
extraction, fields); the baseline is pdfminer.six's extract_text in-process
on the same PDFs. Overhead ratio = our PDF median / baseline median.
"""

from __future__ import annotations

import io
import pathlib
import statistics
import sys
import time
from collections import defaultdict

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pdfminer.high_level import extract_text  # noqa: E402

from app.resume import parse_resume, shutdown  # noqa: E402

CORPUS = ROOT / "tests" / "fixtures" / "resumes"


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def row(label: str, per_file: list[float], per_page: list[float]) -> str:
    return (
        f"{label:<22}{len(per_file):>6}{statistics.median(per_file):>10.1f}{p95(per_file):>9.1f}"
        f"{statistics.median(per_page):>11.1f}{p95(per_page):>9.1f}"
    )


def main(rounds: int = 5) -> None:
    files = sorted(p for p in CORPUS.iterdir() if p.suffix not in (".json", ".py") and p.is_file())
    parse_resume(files[0].read_bytes())  # start the workers before timing
    per_file, per_page = defaultdict(list), defaultdict(list)
    for _ in range(rounds):
        for path in files:
            data = path.read_bytes()
            started = time.perf_counter()
            outcome = parse_resume(data)
            elapsed = (time.perf_counter() - started) * 1000
            fmt, pages = outcome.format or path.suffix[1:], outcome.pages or 1
            per_file[fmt].append(elapsed)
            per_page[fmt].append(elapsed / pages)
            if fmt == "pdf":
                per_file[f"pdf {pages}-page"].append(elapsed)
                per_page[f"pdf {pages}-page"].append(elapsed / pages)
                started = time.perf_counter()
                extract_text(io.BytesIO(data))
                bare = (time.perf_counter() - started) * 1000
                per_file["pdfminer bare"].append(bare)
                per_page["pdfminer bare"].append(bare / pages)
                per_file[f"pdfminer bare {pages}-page"].append(bare)
                per_page[f"pdfminer bare {pages}-page"].append(bare / pages)
    shutdown()
    print(f"{len(files)} files x {rounds} rounds, times in ms\n")
    print(f"{'format':<22}{'runs':>6}{'p50/file':>10}{'p95':>9}{'p50/page':>11}{'p95':>9}")
    for label in sorted(per_file):
        print(row(label, per_file[label], per_page[label]))
    ours, bare = statistics.median(per_file["pdf"]), statistics.median(per_file["pdfminer bare"])
    print(f"\noverhead ratio (PDF p50, parse_resume / bare extract_text): {ours / bare:.2f}")
    if per_file.get("pdf 2-page"):
        ratio2 = statistics.median(per_file["pdf 2-page"]) / statistics.median(
            per_file["pdfminer bare 2-page"]
        )
        print(f"overhead ratio (2-page PDFs): {ratio2:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
