"""Per-field precision, recall and F1 of resume parsing over the labelled corpus.

    .venv/bin/python tests/bench/resume_accuracy.py [-v] [--corpus DIR]

Without --corpus it prints two tables: the tuning corpus (tests/fixtures/resumes,
generated alongside the parser, so optimistic) and the held-out corpus
(tests/fixtures/resumes_holdout, hand-written apart from it: the honest figure).

Scalar fields score one hit per resume when the value matches (case and
spacing ignored). "urls" compares the set of LinkedIn, GitHub and other links.
Education entries match on (school, degree, end); experience entries on
(title, company, start, end).
"""

from __future__ import annotations

import json
import pathlib
import sys
from collections import defaultdict

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.resume import parse_resume, shutdown  # noqa: E402

CORPORA = {
    "tuning corpus": ROOT / "tests" / "fixtures" / "resumes",
    "held-out corpus": ROOT / "tests" / "fixtures" / "resumes_holdout",
}
SCALARS = ["email", "phone", "linkedin", "github", "location", "current_title", "current_company"]
TARGETS = {"email": 0.98, "phone": 0.98, "urls": 0.98, "name": 0.95, "education": 0.85, "experience": 0.85}


def norm(value) -> str | None:
    return " ".join(str(value).casefold().split()) if value not in (None, "") else None


def value_of(fields: dict, key: str):
    found = fields.get(key)
    return found.get("value") if isinstance(found, dict) else None


def predicted_sets(fields: dict) -> dict[str, set]:
    name = (value_of(fields, "first_name"), value_of(fields, "last_name"))
    sets = {"name": {tuple(map(norm, name))} if all(name) else set()}
    for key in SCALARS:
        value = norm(value_of(fields, key))
        sets[key] = {value} if value else set()
    links = [value_of(fields, "linkedin"), value_of(fields, "github")] + [
        u["value"] for u in fields.get("urls", [])
    ]
    sets["urls"] = {norm(u) for u in links if u}
    sets["skills"] = {norm(s) for s in (value_of(fields, "skills") or [])}
    sets["education"] = {
        (norm(e["school"]), norm(e["degree"]), norm(e["end"])) for e in fields.get("education", [])
    }
    sets["experience"] = {
        (norm(e["title"]), norm(e["company"]), norm(e["start"]), norm(e["end"]))
        for e in fields.get("experience", [])
    }
    return sets


def expected_sets(expected: dict) -> dict[str, set]:
    sets = {"name": {(norm(expected["first_name"]), norm(expected["last_name"]))}}
    for key in SCALARS:
        value = norm(expected.get(key))
        sets[key] = {value} if value else set()
    links = [expected.get("linkedin"), expected.get("github"), *expected.get("urls", [])]
    sets["urls"] = {norm(u) for u in links if u}
    sets["skills"] = {norm(s) for s in expected.get("skills", [])}
    sets["education"] = {
        (norm(e["school"]), norm(e["degree"]), norm(e["end"])) for e in expected["education"]
    }
    sets["experience"] = {
        (norm(e["title"]), norm(e["company"]), norm(e["start"]), norm(e["end"]))
        for e in expected["experience"]
    }
    return sets


def score(corpus: pathlib.Path, verbose: bool = False) -> None:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # tp, fp, fn
    files = sorted(
        p for p in corpus.iterdir() if p.suffix not in (".json", ".py") and p.with_suffix(".json").exists()
    )
    failures = 0
    for path in files:
        outcome = parse_resume(path.read_bytes())
        if not outcome.ok:
            failures += 1
            print(f"FAILED {path.name}: {outcome.error_code}")
        got = predicted_sets(outcome.fields) if outcome.ok else defaultdict(set)
        want = expected_sets(json.loads(path.with_suffix(".json").read_text()))
        for key, expected in want.items():
            predicted = got[key]
            tp, fp, fn = len(predicted & expected), len(predicted - expected), len(expected - predicted)
            for i, n in enumerate((tp, fp, fn)):
                counts[key][i] += n
            if verbose and (fp or fn):
                print(
                    f"  {path.name} {key}: missing {sorted(map(str, expected - predicted))} "
                    f"extra {sorted(map(str, predicted - expected))}"
                )
    print(f"\n{len(files)} resumes, {failures} failed to parse\n")
    print(f"{'field':<16}{'precision':>10}{'recall':>10}{'F1':>8}{'target':>8}")
    for key in ["name", *SCALARS[:2], "urls", *SCALARS[2:], "skills", "education", "experience"]:
        tp, fp, fn = counts[key]
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        target = f"{TARGETS[key]:.2f}" if key in TARGETS else ""
        print(f"{key:<16}{precision:>10.3f}{recall:>10.3f}{f1:>8.3f}{target:>8}")


def main(argv: list[str]) -> None:
    verbose = "-v" in argv
    if "--corpus" in argv:
        corpus = pathlib.Path(argv[argv.index("--corpus") + 1]).resolve()
        corpora = {corpus.name: corpus}
    else:
        corpora = CORPORA
    try:
        for label, corpus in corpora.items():
            print(f"\n== {label} ({corpus.relative_to(ROOT) if corpus.is_relative_to(ROOT) else corpus})")
            score(corpus, verbose)
    finally:
        shutdown()


if __name__ == "__main__":
    main(sys.argv[1:])
