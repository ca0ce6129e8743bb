"""Rebuild the real-world resume corpus (tests/corpus/files/) from local copies of its sources.

    .venv/bin/python tests/corpus/build.py [--mirror-root /work/.mirror] [--out tests/corpus/files]

The corpus is public resumes written by other people, in many languages and layouts. They are
personal data, so the repository holds only manifest.csv (source repository, commit, path and
git blob id of each file) and labels.json; the files themselves live in a gitignored folder
that this script fills from bare git copies of the source repositories.

A copy of `owner/name` is looked for at <mirror-root>/owner+name/repo (a bare git directory,
or a work tree's .git). Each file is read with `git show <commit>:<path>` and checked against
its blob id, so a moved branch cannot silently change the corpus. Missing sources are listed
and skipped: the benchmark runs on what is there and skips cleanly when nothing is.

The split column (tune or holdout) is a hash of the file's group, decided when the file was
added and never by hand: a group is the source repository (one person's CV in two languages
stays on one side), or repository and path for a repository that collects many people's CVs.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
MANIFEST = HERE / "manifest.csv"
FILES = HERE / "files"


def split_of(group: str) -> str:
    """tune or holdout, by the parity of the group's SHA-256: nobody chooses a file's side."""
    return "tune" if int(hashlib.sha256(group.encode()).hexdigest(), 16) % 2 == 0 else "holdout"


def read_manifest(path: pathlib.Path = MANIFEST) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def local_name(row: dict[str, str]) -> str:
    """A flat, stable file name: the blob id keeps names unique, the extension keeps the format."""
    return f"{row['blob'][:16]}.{row['format']}"


def git_dir(mirror_root: pathlib.Path, repository: str) -> pathlib.Path | None:
    base = mirror_root / repository.replace("/", "+", 1) / "repo"
    for candidate in (base / ".git", base):
        if (candidate / "objects").is_dir():
            return candidate
    return None


def blob_of(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def fetch(mirror_root: pathlib.Path, row: dict[str, str]) -> bytes | None:
    where = git_dir(mirror_root, row["repository"])
    if where is None:
        return None
    shown = subprocess.run(
        ["git", "--git-dir", str(where), "show", f"{row['commit']}:{row['path']}"],
        capture_output=True,
        check=False,
    )
    if shown.returncode != 0 or blob_of(shown.stdout) != row["blob"]:
        return None
    return shown.stdout


def build(mirror_root: pathlib.Path, out: pathlib.Path) -> tuple[int, list[str]]:
    out.mkdir(parents=True, exist_ok=True)
    written, missing = 0, []
    for row in read_manifest():
        if row["split"] != split_of(row["group"]):
            raise SystemExit(f"split of {row['repository']}:{row['path']} does not match its hash")
        target = out / local_name(row)
        if target.exists() and blob_of(target.read_bytes()) == row["blob"]:
            written += 1
            continue
        data = fetch(mirror_root, row)
        if data is None:
            missing.append(f"{row['repository']}:{row['path']}")
            continue
        target.write_bytes(data)
        written += 1
    return written, missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mirror-root", type=pathlib.Path, default=pathlib.Path("/work/.mirror"))
    parser.add_argument("--out", type=pathlib.Path, default=FILES)
    args = parser.parse_args(argv)
    written, missing = build(args.mirror_root, args.out)
    print(f"{written} files in {args.out}; {len(missing)} missing")
    for name in missing:
        print(f"  missing {name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
