"""axe-core, the accessibility rules engine, from the npm registry: one pinned version, its
tarball checked against the registry's sha512 integrity, kept in a cache folder outside the repo
so a run downloads it at most once."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import tarfile
import urllib.request
from pathlib import Path

VERSION = "4.14.1"
INTEGRITY = "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
TARBALL = f"https://registry.npmjs.org/axe-core/-/axe-core-{VERSION}.tgz"
SCRIPT = "package/axe.min.js"
# Rules at WCAG 2.2 A and AA, plus axe's best practices (landmarks, headings, region).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


class AxeUnavailable(Exception):
    """The pinned tarball could not be downloaded, or was not the one pinned."""


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "careers-intake"


def integrity_of(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def tarball(timeout: float = 30) -> bytes:
    """The cached tarball when its hash is the pinned one, else a fresh download, checked."""
    cached = cache_dir() / f"axe-core-{VERSION}.tgz"
    if cached.exists() and integrity_of(cached.read_bytes()) == INTEGRITY:
        return cached.read_bytes()
    try:
        with urllib.request.urlopen(TARBALL, timeout=timeout) as response:
            data = response.read()
    except OSError as exc:
        raise AxeUnavailable(f"could not download {TARBALL}: {exc}") from exc
    if integrity_of(data) != INTEGRITY:
        raise AxeUnavailable(f"{TARBALL} does not match the pinned sha512 integrity")
    cached.parent.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(f".{os.getpid()}.part")
    partial.write_bytes(data)
    partial.replace(cached)  # atomic: a parallel run never reads half a file
    return data


def axe_script() -> str:
    with tarfile.open(fileobj=io.BytesIO(tarball()), mode="r:gz") as archive:
        member = archive.extractfile(SCRIPT)
        if member is None:
            raise AxeUnavailable(f"{SCRIPT} is missing from axe-core {VERSION}")
        return member.read().decode()


def violations(page, script: str) -> list[dict]:
    """axe's violations on the page as it is now, each with the selectors of its nodes."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=script)
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {
                runOnly: { type: "tag", values: tags }, resultTypes: ["violations"]
            });
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ") + " :: " + n.failureSummary)
            }));
        }""",
        TAGS,
    )


def describe(found: list[dict]) -> str:
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']}\n  " + "\n  ".join(v["nodes"]) for v in found)
