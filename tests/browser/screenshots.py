"""Screenshots of the candidate's pages as `make run` serves them: the listing, a job page and
its apply form, at 320 px and 1280 px wide, in English and German.

    .venv/bin/python tests/browser/screenshots.py [--out /tmp/careers-screenshots] [--langs en,de]

Starts `flask serve` on a port of its own with the demo jobs in a temporary folder, opens the
pages in Debian's Chromium (CAREERS_CHROMIUM names another) and writes one full-page PNG per
page, width and language, named like `de-320-apply.png`; prints each path. Nothing is kept in
the repository: the pictures are for reviewing a change by eye.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser.conftest import BASE_ARGS, CHROMIUM  # noqa: E402
from tests.support.servers import serving_process  # noqa: E402

WIDTHS = {320: 720, 1280: 800}


def served_env(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAREERS_")}
    env |= {
        "CAREERS_ENV": "development",
        "CAREERS_LOAD_DEMO_JOBS": "true",
        "CAREERS_SECRET_KEY": "screenshots",
        "CAREERS_INSTANCE_PATH": str(folder / "instance"),
        "CAREERS_DATABASE_URL": f"sqlite:///{folder / 'careers.db'}",
        "CAREERS_QUEUE_URL": f"sqlite:///{folder / 'queue.db'}",
        "CAREERS_UPLOAD_DIR": str(folder / "uploads"),
    }
    return env


def shoot(base: str, out: Path, langs: list[str]) -> list[Path]:
    written = []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=BASE_ARGS)
        for lang in langs:
            prefix = "" if lang == "en" else f"/{lang}"
            for width, height in WIDTHS.items():
                context = browser.new_context(
                    viewport={"width": width, "height": height}, locale=lang, device_scale_factor=1
                )
                page = context.new_page()
                page.goto(f"{base}{prefix}/jobs")
                written.append(capture(page, out / f"{lang}-{width}-listing.png"))
                page.locator("main a[href*='/jobs/']").first.click()
                page.wait_for_load_state()
                written.append(capture(page, out / f"{lang}-{width}-job.png"))
                page.goto(page.url.split("?")[0].rstrip("/") + "/apply")
                written.append(capture(page, out / f"{lang}-{width}-apply.png"))
                context.close()
        browser.close()
    return written


def capture(page, path: Path) -> Path:
    page.screenshot(path=str(path), full_page=True)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "careers-screenshots")
    parser.add_argument("--langs", default="en,de")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, "-m", "flask", "--app", "app", "serve", "--port", "0"]
        with serving_process(command, env=served_env(Path(folder)), cwd=ROOT, timeout=60) as (_, base):
            for path in shoot(base, args.out, args.langs.split(",")):
                print(path)


if __name__ == "__main__":
    main()
