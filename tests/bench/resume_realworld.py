"""Autofill accuracy and speed on real resumes written by other people.

    .venv/bin/python tests/bench/resume_realworld.py [--split tune|holdout|both] [-v]

The files come from tests/corpus (manifest.csv, rebuilt into tests/corpus/files/ by
tests/corpus/build.py); without them this prints a note and exits 0. Labels are in
tests/corpus/labels.json; each labelled file belongs to the tune or the holdout half by a hash
of its group (see build.py). Tune on `--split tune`; read the holdout table only to report.

Accuracy is per field, over the labelled files whose label for that field is not null (a null
label means the resume does not say, or says it ambiguously); a refused or failed parse counts
as a miss for every field. What counts as right:

- first_name, last_name: equal after case folding, removing diacritics and collapsing spaces;
- email: equal in lower case;
- phone: the predicted value equals the labelled E.164 number (or one of them, when the
  label lists a resume's two numbers), so a number without its country is wrong;
- location: the labelled city (diacritics and case ignored) appears as words in the predicted
  location ("Saint Paul" in "Saint Paul, MN");
- links: every labelled link is among the predicted LinkedIn, GitHub and other links
  (scheme, "www." and a trailing slash ignored);
- current_title, current_company: fuzzy, a similarity ratio of at least 0.8 between the two
  folded strings, or one contained in the other.

Speed: every corpus file (labelled or not) is parsed once through a warm pool; per file p50,
p95 and max wall time, the workers' CPU time per file (wall time on a shared machine counts
other people's work too), and the number of files not answered with fields (by error code).
The same PDFs are timed through pdfminer.six's extract_text alone and pypdfium2's text alone,
in this process, for scale. The load average is printed last.

Peer: leverparser, installed in an environment of its own (see tests/bench/resume_peer.py and
docs/resume_parsing.md), runs on the same labelled files of the holdout half (of the tune half
with --split tune) and its accuracy is printed beside ours; skipped with one line without it.
"""

from __future__ import annotations

import argparse
import difflib
import io
import json
import os
import pathlib
import re
import statistics
import subprocess
import sys
import time
import unicodedata
from collections import Counter

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "corpus"))

from build import FILES, local_name, read_manifest  # noqa: E402

from app.resume import parse_resume, shutdown  # noqa: E402
from app.resume.runner import worker_pids  # noqa: E402

LABELS = ROOT / "tests" / "corpus" / "labels.json"
FIELDS = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "location",
    "links",
    "current_title",
    "current_company",
]
TARGETS = {
    "email": 0.98,
    "phone": 0.95,
    "first_name": 0.95,
    "last_name": 0.95,
    "location": 0.85,
    "current_title": 0.8,
}
FUZZY = 0.8
PEER_PYTHON = pathlib.Path("/work/peer-venv/bin/python")


def fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.split())


def link_key(url: str) -> str:
    url = re.sub(r"^https?://", "", url.strip().lower()).removeprefix("www.")
    return url.rstrip("/")


def value_of(fields: dict, key: str):
    found = fields.get(key)
    return found.get("value") if isinstance(found, dict) else None


def predicted_links(fields: dict) -> set[str]:
    links = [value_of(fields, "linkedin"), value_of(fields, "github")]
    links += [u.get("value") for u in fields.get("urls") or []]
    return {link_key(str(u)) for u in links if u}


def fuzzy_equal(expected: str, predicted: str) -> bool:
    a, b = fold(expected), fold(predicted)
    return a in b or b in a or difflib.SequenceMatcher(None, a, b).ratio() >= FUZZY


def is_right(key: str, expected, fields: dict) -> bool:
    if key == "links":
        return {link_key(u) for u in expected} <= predicted_links(fields)
    predicted = value_of(fields, key)
    if not predicted:
        return False
    predicted = str(predicted)
    if key in ("first_name", "last_name"):
        return fold(expected) == fold(predicted)
    if key == "email":
        return expected.lower() == predicted.lower()
    if key == "phone":
        return predicted in (expected if isinstance(expected, list) else [expected])
    if key == "location":
        return re.search(rf"(?<!\w){re.escape(fold(expected))}(?!\w)", fold(predicted)) is not None
    return fuzzy_equal(expected, predicted)


def labelled(expected) -> bool:
    return expected not in (None, "", [])


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def workers_cpu_ms() -> float | None:
    """CPU time the parse workers have used so far (Linux's schedstat, in nanoseconds): on a
    machine shared with other work, the part of a parse's wall time that is ours."""
    try:
        return (
            sum(int(pathlib.Path(f"/proc/{pid}/schedstat").read_text().split()[0]) for pid in worker_pids())
            / 1e6
        )
    except (OSError, ValueError, IndexError):
        return None


def time_parses(rows: list[dict]) -> dict[str, dict]:
    """Every file through the warm pool once: {blob prefix: {ms, cpu_ms, ok, error, fields}}."""
    parse_resume((FILES / local_name(rows[0])).read_bytes())  # start the workers first
    results = {}
    for row in rows:
        data = (FILES / local_name(row)).read_bytes()
        cpu_before = workers_cpu_ms()
        started = time.perf_counter()
        outcome = parse_resume(data)
        elapsed = (time.perf_counter() - started) * 1000
        cpu_after = workers_cpu_ms()
        results[row["blob"][:16]] = {
            "ms": elapsed,
            "cpu_ms": None if cpu_before is None or cpu_after is None else max(cpu_after - cpu_before, 0.0),
            "ok": outcome.ok,
            "error": outcome.error_code,
            "fields": outcome.fields,
            "format": row["format"],
        }
    return results


def time_baselines(rows: list[dict]) -> dict[str, list[float]]:
    """pdfminer.six and pypdfium2 text extraction alone, in this process, on the same PDFs."""
    import pypdfium2 as pdfium
    from pdfminer.high_level import extract_text

    times: dict[str, list[float]] = {"pdfminer alone": [], "pypdfium2 alone": []}
    for row in rows:
        if row["format"] != "pdf":
            continue
        data = (FILES / local_name(row)).read_bytes()
        started = time.perf_counter()
        try:
            extract_text(io.BytesIO(data))
        except Exception:  # noqa: BLE001 - a baseline that fails still took its time
            pass
        times["pdfminer alone"].append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        try:
            document = pdfium.PdfDocument(data)
            for page in document:
                page.get_textpage().get_text_range()
        except Exception:  # noqa: BLE001
            pass
        times["pypdfium2 alone"].append((time.perf_counter() - started) * 1000)
    return times


def scores(chosen: dict, results: dict) -> dict[str, tuple[list[str], list[str]]]:
    """For each field: (blobs right, blobs scored) over the chosen labels."""
    table = {}
    for key in FIELDS:
        scored = [blob for blob, label in chosen.items() if labelled(label[key])]
        right = [
            blob
            for blob in scored
            if blob in results
            and results[blob]["ok"]
            and is_right(key, chosen[blob][key], results[blob]["fields"])
        ]
        table[key] = (right, scored)
    return table


def accuracy_table(split: str, labels: dict, results: dict, verbose: bool) -> None:
    chosen = {blob: label for blob, label in labels.items() if label["split"] == split}
    print(f"\n{split}: {len(chosen)} labelled files")
    print(f"{'field':<18}{'right':>7}{'of':>5}{'accuracy':>10}{'target':>8}")
    for key, (right, scored) in scores(chosen, results).items():
        share = len(right) / len(scored) if scored else 0.0
        target = f"{TARGETS[key]:.2f}" if key in TARGETS else ""
        print(f"{key:<18}{len(right):>7}{len(scored):>5}{share:>10.2f}{target:>8}")
        if verbose:
            for blob in scored:
                if blob not in right:
                    got = results[blob]["error"] or _shown(key, results[blob]["fields"])
                    print(f"    {blob} {chosen[blob]['repository']}: want {chosen[blob][key]!r} got {got!r}")


def peer_table(split: str, labels: dict, results: dict, python: pathlib.Path) -> None:
    """The peer parser (tests/bench/resume_peer.py, in its own environment) beside ours."""
    if not python.exists():
        print(f"\npeer: skipped, no {python} (see docs/resume_parsing.md to install leverparser)")
        return
    script = pathlib.Path(__file__).with_name("resume_peer.py")
    ran = subprocess.run(
        [str(python), str(script), "--split", split], capture_output=True, text=True, check=False
    )
    if ran.returncode != 0:
        print(f"\npeer: skipped, resume_peer.py failed: {ran.stderr.strip().splitlines()[-1:]}")
        return
    answers = json.loads(ran.stdout)
    peer = {blob: {**answer, "ok": answer["error"] is None} for blob, answer in answers.items()}
    chosen = {blob: label for blob, label in labels.items() if label["split"] == split}
    ours, theirs = scores(chosen, results), scores(chosen, peer)
    failed = sum(1 for answer in peer.values() if not answer["ok"])
    times = [answer["ms"] for answer in peer.values()]
    print(f"\npeer on {split}: leverparser {_version(python)}, {len(peer)} files, {failed} raised")
    print(f"{'field':<18}{'of':>5}{'ours':>8}{'peer':>8}")
    for key in FIELDS:
        (right, scored), (peer_right, _) = ours[key], theirs[key]
        if scored:
            share, peer_share = len(right) / len(scored), len(peer_right) / len(scored)
            print(f"{key:<18}{len(scored):>5}{share:>8.2f}{peer_share:>8.2f}")
    if times:
        middle, slow, slowest = statistics.median(times), p95(times), max(times)
        print(f"peer per file (ms): p50 {middle:.1f}, p95 {slow:.1f}, max {slowest:.1f}")


def _version(python: pathlib.Path) -> str:
    shown = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.version('leverparser'))"],
        capture_output=True,
        text=True,
        check=False,
    )
    return shown.stdout.strip() or "(version unknown)"


def _shown(key: str, fields: dict):
    return sorted(predicted_links(fields)) if key == "links" else value_of(fields, key)


def speed_table(results: dict, baselines: dict[str, list[float]]) -> None:
    ours = [r["ms"] for r in results.values()]
    pdfs = [r["ms"] for r in results.values() if r["format"] == "pdf"]
    print(f"\n{'per file (ms)':<22}{'files':>6}{'p50':>9}{'p95':>9}{'max':>9}")
    cpu = [r["cpu_ms"] for r in results.values() if r["cpu_ms"] is not None]
    rows = [("ours, all formats", ours), ("ours, PDF", pdfs), ("ours, worker CPU", cpu), *baselines.items()]
    for label, values in rows:
        if values:
            print(
                f"{label:<22}{len(values):>6}{statistics.median(values):>9.1f}"
                f"{p95(values):>9.1f}{max(values):>9.1f}"
            )
    failures = Counter(r["error"] for r in results.values() if not r["ok"])
    slowest = max(results, key=lambda blob: results[blob]["ms"])
    print(f"answered with fields: {len(results) - sum(failures.values())} of {len(results)}")
    print(f"not answered with fields: {sum(failures.values())} {dict(failures)}")
    print(f"slowest: {slowest} ({results[slowest]['format']}) {results[slowest]['ms']:.0f} ms")
    print(f"load average: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--split", choices=["tune", "holdout", "both"], default="both")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the misses")
    parser.add_argument("--no-speed", action="store_true", help="skip the pdfminer/pypdfium2 baselines")
    parser.add_argument(
        "--peer-python",
        type=pathlib.Path,
        default=PEER_PYTHON,
        help="the interpreter of the environment holding leverparser (skipped when absent)",
    )
    args = parser.parse_args(argv)
    rows = [row for row in read_manifest() if (FILES / local_name(row)).exists()]
    if not rows:
        print(f"no corpus files in {FILES}: run tests/corpus/build.py first; skipping")
        return 0
    labels = {
        blob: label
        for blob, label in json.loads(LABELS.read_text()).items()
        if (FILES / f"{blob}.{label['path'].rsplit('.', 1)[-1].lower()}").exists()
    }
    try:
        results = time_parses(rows)
    finally:
        shutdown()
    for split in ("tune", "holdout") if args.split == "both" else (args.split,):
        accuracy_table(split, labels, results, args.verbose)
    peer_table("tune" if args.split == "tune" else "holdout", labels, results, args.peer_python)
    speed_table(results, {} if args.no_speed else time_baselines(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
