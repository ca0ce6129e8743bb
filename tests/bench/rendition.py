"""What a PDF rendition costs the delivery worker, per file and per page, by source format.

    .venv/bin/python tests/bench/rendition.py [rounds]

The delivery draws the rendition from the text the parser already extracted, so "render" is
the worker's cost (format check, blocks, PDF with the Unicode font). "extract" is the parser's
own extraction of the same file, paid once at parse time, shown for scale. Each format is
timed on the one-page test resume and on a long one (its text repeated 15 times).
"""

from __future__ import annotations

import io
import pathlib
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pdfminer.high_level import extract_pages  # noqa: E402

from app.ats.base import Resume  # noqa: E402
from app.ats.pdf_rendition import system_fonts  # noqa: E402
from app.intake.rendition import fit_resume  # noqa: E402
from app.resume.extract import extract_text  # noqa: E402
from app.resume.formats import CONTENT_TYPES  # noqa: E402
from tests.ats.harnesses import make_submission  # noqa: E402
from tests.support.resume_files import resume_document  # noqa: E402

FORMATS = ("rtf", "odt", "docx", "html", "txt")
LONG = 15


def timed(action, rounds: int) -> tuple[float, object]:
    """The median milliseconds of `rounds` calls, and the last result."""
    times, result = [], None
    for _ in range(rounds):
        started = time.perf_counter()
        result = action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def main(rounds: int = 7) -> None:
    fonts = system_fonts()
    print(f"font: {fonts.regular or 'core Helvetica (Latin-1 only)'}; median of {rounds} rounds")
    print(f"{'format':<12}{'pages':>6}{'extract ms':>12}{'render ms':>11}{'ms/page':>9}")
    for fmt in FORMATS:
        data = resume_document(fmt)
        extract_ms, extracted = timed(lambda data=data, fmt=fmt: extract_text(data, fmt).text, rounds)
        for label, text in ((fmt, str(extracted)), (f"{fmt} x{LONG}", "\n".join([str(extracted)] * LONG))):
            submission = make_submission(
                "1", resume=Resume(f"cv.{fmt}", CONTENT_TYPES[fmt], data), parsed={"text": text}
            )
            render_ms, fitted = timed(lambda s=submission: fit_resume(s, "dover"), rounds)
            pdf = fitted.submission.resume.data  # type: ignore[attr-defined]
            pages = len(list(extract_pages(io.BytesIO(pdf))))
            print(f"{label:<12}{pages:>6}{extract_ms:>12.1f}{render_ms:>11.1f}{render_ms / pages:>9.1f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
