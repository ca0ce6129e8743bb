"""Accessibility as a person meets it, in Chromium: axe-core over every page and state at desktop
width and at 320px, and what axe cannot see: a visible focus ring with 3:1 contrast on every
control, tab order following the visual order, the error summary, reflow without horizontal
scrolling, and the form sent with the keyboard alone."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from uuid import uuid4

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from app.colors import RGB, UI_RATIO, WHITE, contrast_ratio
from app.extensions import db
from app.intake.status_links import status_token
from app.models import DemographicQuestion, Job
from tests.browser.axe import describe, violations
from tests.conftest import FIXTURES, PASSWORD, add_job, add_user
from tests.web.helpers import hidden_fields, resume_file, valid_answers

RESUME = FIXTURES / "files" / "resume.pdf"
WIDE = {"width": 1280, "height": 800}
NARROW = {"width": 320, "height": 640}
YELLOW = "ffd24d"  # a host's accent that reads 1.5:1 on white
EVERY_KIND = [
    {"label": "Years of experience with Python", "kind": "short_text", "required": True},
    {"label": "Tell us about a system you built", "kind": "long_text", "required": True},
    {"label": "Portfolio address", "kind": "url", "required": True},
    {"label": "Preferred team", "kind": "single_select", "required": True, "options": ["Core", "Edge"]},
    {
        "label": "Languages you speak",
        "kind": "multi_select",
        "required": True,
        "options": ["English", "German"],
    },
    {"label": "Can you work in the EU?", "kind": "yes_no", "required": True},
    {"label": "Work sample", "kind": "file", "required": True},
]

GENDERS = ["Woman", "Man", "Non-binary", "I describe myself"]


@dataclass
class Setting:
    url: str
    host: str  # an origin allowed to embed us
    job_id: int  # no questions
    every_kind_id: int  # one question of each kind and a voluntary one
    application_id: int
    public_id: str
    hr_email: str
    status_path: str

    def embed(self, path: str) -> str:
        join = "&" if "?" in path else "?"
        return f"{self.url}/embed{path}{join}origin={self.host}&accent={YELLOW}"


@pytest.fixture(scope="module")
def setting(site) -> Setting:
    """A job asking every kind of question, one application, an HR account: added to the
    session's site once for this module."""
    every_kind_id = add_job(site.app, title="Site Reliability Engineer", questions=EVERY_KIND)
    with site.app.app_context():
        job = db.session.get(Job, every_kind_id)
        options = [{"ref": str(i), "label": label, "free_form": i == 3} for i, label in enumerate(GENDERS)]
        job.demographic_questions = [
            DemographicQuestion(
                section="eeoc", ref="gender", label="Gender", kind="single_select", options=options
            )
        ]
        db.session.commit()
    client = site.app.test_client()
    email = f"a11y-{uuid4().hex[:8]}@example.com"
    form = client.get(f"/jobs/{site.job_id}/apply", base_url=site.url)
    data = {**hidden_fields(form.text), **valid_answers(email=email), "resume": resume_file()}
    sent = client.post(f"/jobs/{site.job_id}/apply", base_url=site.url, data=data)
    public_id = re.search(r"/applications/([^/]+)/thanks", sent.headers["Location"]).group(1)
    hr_email = f"hr-{uuid4().hex[:8]}@example.com"
    add_user(site.app, email=hr_email)
    application_id = site.applications(email)[0].id
    status_path = "/status/" + status_token(site.app.config["SECRET_KEY"], application_id, public_id)
    return Setting(
        site.url, site.host, site.job_id, every_kind_id, application_id, public_id, hr_email, status_path
    )


@pytest.fixture(scope="module")
def context(browsers):
    """Candidates' pages share one context; axe is injected past the Content-Security-Policy."""
    context = browsers("cookies-allowed").new_context(bypass_csp=True, viewport=WIDE)
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture(scope="module")
def hr_context(browsers, setting):
    """HR's pages: one context, signed in once."""
    context = browsers("cookies-allowed").new_context(bypass_csp=True, viewport=WIDE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{setting.url}/admin/login")
    page.fill("input[name=email]", setting.hr_email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/applications"))
    page.close()
    yield context
    context.close()


def fill_required(page, email: str) -> None:
    page.fill("input[name=first_name]", "Ada")
    page.fill("input[name=last_name]", "Lovelace")
    page.fill("input[name=email]", email)
    page.set_input_files("input[name=resume]", str(RESUME))
    page.check("input[name=consent]")


def autofilled(page) -> None:
    page.set_input_files("input[name=resume]", str(RESUME))
    expect(page.locator("input[name=first_name]")).to_have_value("Grace")


def sent_empty(page) -> None:
    page.click("button[type=submit]")
    expect(page.locator("#error-summary")).to_be_visible()


def sent_complete(page) -> None:
    fill_required(page, f"a11y-{uuid4().hex[:8]}@example.com")
    page.click("button[type=submit]")
    expect(page.get_by_role("heading", name=re.compile("Thank you"))).to_be_visible()


def nothing(page) -> None:
    return None


# state: (HR's context?, the page's address, what to do there first)
STATES: dict[str, tuple[bool, Callable[[Setting], str], Callable]] = {
    "listing": (False, lambda s: f"{s.url}/jobs", nothing),
    "job": (False, lambda s: f"{s.url}/jobs/{s.job_id}", nothing),
    "apply-empty": (False, lambda s: f"{s.url}/jobs/{s.job_id}/apply", nothing),
    "apply-autofilled": (False, lambda s: f"{s.url}/jobs/{s.job_id}/apply", autofilled),
    "apply-every-question-kind": (False, lambda s: f"{s.url}/jobs/{s.every_kind_id}/apply", nothing),
    "apply-with-errors": (False, lambda s: f"{s.url}/jobs/{s.every_kind_id}/apply", sent_empty),
    "thanks": (False, lambda s: f"{s.url}/applications/{s.public_id}/thanks", nothing),
    "embed-board": (False, lambda s: s.embed("/jobs"), nothing),
    "embed-form": (False, lambda s: s.embed(f"/jobs/{s.every_kind_id}/apply"), nothing),
    "embed-form-with-errors": (False, lambda s: s.embed(f"/jobs/{s.every_kind_id}/apply"), sent_empty),
    "embed-thanks": (False, lambda s: s.embed(f"/jobs/{s.job_id}/apply"), sent_complete),
    "not-found": (False, lambda s: f"{s.url}/jobs/999999", nothing),
    "status": (False, lambda s: f"{s.url}{s.status_path}", nothing),
    "status-links": (False, lambda s: f"{s.url}/status", nothing),
    "status-links-with-errors": (
        False,
        lambda s: f"{s.url}/status",
        lambda page: page.click("button[type=submit]"),
    ),
    "status-not-found": (False, lambda s: f"{s.url}/status/forged", nothing),
    # German runs longest: its words must wrap at 320px too.
    "listing-de": (False, lambda s: f"{s.url}/de/jobs", nothing),
    "job-de": (False, lambda s: f"{s.url}/de/jobs/{s.job_id}", nothing),
    "status-de": (False, lambda s: f"{s.url}/de{s.status_path}", nothing),
    "apply-with-errors-de": (False, lambda s: f"{s.url}/de/jobs/{s.every_kind_id}/apply", sent_empty),
    "embed-board-fr": (False, lambda s: s.embed("/jobs?lang=fr"), nothing),
    "hr-login": (False, lambda s: f"{s.url}/admin/login", nothing),
    "hr-jobs": (True, lambda s: f"{s.url}/admin/jobs", nothing),
    "hr-job-form": (True, lambda s: f"{s.url}/admin/jobs/{s.every_kind_id}", nothing),
    "hr-applications": (True, lambda s: f"{s.url}/admin/applications", nothing),
    "hr-application": (True, lambda s: f"{s.url}/admin/applications/{s.application_id}", nothing),
}


@pytest.fixture
def opened(request, setting, context, hr_context):
    """A new page in the state the test names."""
    hr, address, prepare = STATES[request.param]
    page = (hr_context if hr else context).new_page()
    page.set_viewport_size(WIDE)
    page.goto(address(setting))
    prepare(page)
    yield page
    page.close()


def overflow(page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("opened", list(STATES), indirect=True)
def test_every_page_and_state_passes_axe_at_desktop_width_and_reflows_at_320px(opened, axe):
    wide = violations(opened, axe)
    assert not wide, "at 1280px:\n" + describe(wide)
    opened.set_viewport_size(NARROW)
    assert overflow(opened) <= 0, "the page scrolls sideways at 320px"
    narrow = violations(opened, axe)
    assert not narrow, "at 320px:\n" + describe(narrow)


# What the focused element shows, read after each Tab: its ring (or, for the file input laid
# invisibly over our button, the button's ring) and the colour behind the ring.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const shown = el.matches(".file-picker.enhanced input[type=file]") ? el.nextElementSibling : el;
  const style = getComputedStyle(shown);
  let behind = "rgb(255, 255, 255)";
  for (let node = shown.parentElement; node; node = node.parentElement) {
    const colour = getComputedStyle(node).backgroundColor;
    if (colour !== "rgba(0, 0, 0, 0)" && colour !== "transparent") { behind = colour; break; }
  }
  const box = shown.getBoundingClientRect();
  return {
    name: el.tagName.toLowerCase() + (el.name ? "[name=" + el.name + "]" : "") + (el.id ? "#" + el.id : "")
      + " " + (el.textContent || "").trim().slice(0, 30),
    outline: style.outlineStyle === "none" ? 0 : parseFloat(style.outlineWidth),
    colour: style.outlineColor, behind: behind,
    field: el.matches("select, textarea, input:not([type=checkbox], [type=radio], [type=file])"),
    border: style.borderTopColor, borderWidth: parseFloat(style.borderTopWidth),
    x: box.left + scrollX, y: box.top + scrollY, width: box.width, height: box.height,
  };
}"""

# page: (the page's address, what to do there first)
WALKS = {
    "listing": STATES["listing"],
    "apply-every-question-kind": STATES["apply-every-question-kind"],
    "embed-board": STATES["embed-board"],
    "embed-form-with-errors": STATES["embed-form-with-errors"],
    "hr-job-form": STATES["hr-job-form"],
}


def seen(css: str, behind: RGB = WHITE) -> RGB:
    """A computed CSS colour (rgb(), rgba() or color(srgb ...), as color-mix() gives) as it
    shows over `behind`."""
    numbers = [float(n) for n in re.findall(r"[\d.]+", css)]
    scale = 255 if css.startswith("color(") else 1
    channels, alpha = [n * scale for n in numbers[:3]], numbers[3] if len(numbers) > 3 else 1.0
    r, g, b = (round(c * alpha + under * (1 - alpha)) for c, under in zip(channels, behind, strict=True))
    return (r, g, b)


def ring_contrast(stop: dict) -> float:
    behind = seen(stop["behind"])
    return contrast_ratio(seen(stop["colour"], behind), behind)


@pytest.fixture(scope="module")
def walks(setting, context, hr_context):
    """Tab through a page once, from the top to the last control, keeping what each focused
    element showed; the focus and the order tests read the same walk."""
    done: dict[str, list[dict]] = {}

    def walk(name: str) -> list[dict]:
        if name not in done:
            hr, address, prepare = WALKS[name]
            page = (hr_context if hr else context).new_page()
            page.goto(address(setting))
            prepare(page)
            page.evaluate("document.activeElement && document.activeElement.blur()")
            page.evaluate("window.scrollTo(0, 0)")
            stops: list[dict] = []
            for _ in range(150):
                page.keyboard.press("Tab")
                focused = page.evaluate(FOCUSED)
                if focused is None or (stops and focused["name"] == stops[0]["name"]):
                    break
                stops.append(focused)
            page.close()
            done[name] = stops
        return done[name]

    return walk


@pytest.mark.parametrize("name", list(WALKS))
def test_every_control_shows_a_focus_ring_with_3_to_1_contrast(walks, name):
    stops = walks(name)
    assert len(stops) > 3
    for stop in stops:
        assert stop["outline"] >= 2, f"{stop['name']} shows no focus ring"
        ratio = ring_contrast(stop)
        assert ratio >= UI_RATIO, (
            f"{stop['name']}: ring {stop['colour']} on {stop['behind']} is {ratio:.2f}:1"
        )


@pytest.mark.parametrize("name", list(WALKS))
def test_every_text_field_has_a_border_with_3_to_1_contrast(walks, name):
    fields = [stop for stop in walks(name) if stop["field"]]
    assert fields
    for stop in fields:
        behind = seen(stop["behind"])
        ratio = contrast_ratio(seen(stop["border"], behind), behind)
        assert stop["borderWidth"] >= 1 and ratio >= UI_RATIO, f"{stop['name']}: border is {ratio:.2f}:1"


def reading_order_breaks(stops: list[dict]) -> list[str]:
    """Where the next stop is neither further right on the same row nor further down."""
    breaks = []
    for a, b in pairwise(stops):
        same_row = b["y"] < a["y"] + a["height"] and a["y"] < b["y"] + b["height"]
        forward = b["x"] >= a["x"] - 1 if same_row else b["y"] >= a["y"] + a["height"] - 1
        if not forward:
            breaks.append(
                f"{a['name']} ({a['x']:.0f},{a['y']:.0f}) -> {b['name']} ({b['x']:.0f},{b['y']:.0f})"
            )
    return breaks


@pytest.mark.parametrize("name", list(WALKS))
def test_tab_order_follows_the_visual_order(walks, name):
    assert reading_order_breaks(walks(name)) == []


LABEL_OF = """(id) => {
  const target = document.getElementById(id);
  if (!target) return null;
  if (target.matches("fieldset")) return target.querySelector("legend");
  const group = target.closest("fieldset.choices");  // an option's question is its group's legend
  if (group) return group.querySelector("legend");
  return document.querySelector(`label[for="${id}"]`) || target.closest("label");
}"""

SUMMARY_LINKS = f"""() => [...document.querySelectorAll("#error-summary a")].map(link => {{
  const id = decodeURIComponent(link.hash.slice(1)), label = ({LABEL_OF})(id);
  const name = label ? label.textContent.replace("*", "").trim() : "";
  return {{ id: id, text: link.textContent.trim(), label: name }};
}})"""

FOCUS_AFTER_FOLLOWING = f"""(id) => {{
  const target = document.getElementById(id), focused = document.activeElement;
  const label = ({LABEL_OF})(id), top = label ? label.getBoundingClientRect().top : -1;
  const shown = top >= 0 && top < innerHeight;
  return {{ focused: focused === target || target.contains(focused), labelShown: shown }};
}}"""


@pytest.fixture
def with_errors(setting, context):
    page = context.new_page()
    page.goto(f"{setting.url}/jobs/{setting.every_kind_id}/apply")
    sent_empty(page)
    yield page
    page.close()


def test_every_error_in_the_summary_names_its_field(with_errors):
    links = with_errors.evaluate(SUMMARY_LINKS)
    assert len(links) >= len(EVERY_KIND) + 4  # names, email, resume, consent and each question
    unnamed = [link for link in links if link["label"].lower() not in link["text"].lower()]
    assert unnamed == []


def test_following_an_error_in_the_summary_focuses_its_field_with_its_label_in_view(with_errors):
    missed = []
    for link in with_errors.evaluate(SUMMARY_LINKS):
        with_errors.locator(f'#error-summary a[href="#{link["id"]}"]').click()
        after = with_errors.evaluate(FOCUS_AFTER_FOLLOWING, link["id"])
        if not (after["focused"] and after["labelShown"]):
            missed.append((link["id"], after))
    assert missed == []


def tab_to(page, selector: str, most: int = 30) -> None:
    """Press Tab until the focused element matches, failing after `most` presses."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def open_file_chooser_with_space(page, tries: int = 2):
    """Space on the focused file input opens the chooser. A loaded machine can drop the first
    press before Chromium has the page's input handling ready, so a second is allowed; the
    input must still have the focus each time."""
    for attempt in range(tries):
        assert page.evaluate("document.activeElement.matches('input[type=file]')")
        try:
            with page.expect_file_chooser(timeout=5_000 * (attempt + 1)) as chooser:
                page.keyboard.press("Space")
            return chooser.value
        except PlaywrightTimeout:
            if attempt == tries - 1:
                raise
    raise AssertionError("unreachable")


def test_the_form_can_be_filled_in_and_sent_with_the_keyboard_alone(setting, site, context):
    page = context.new_page()
    page.set_viewport_size(NARROW)
    page.goto(f"{setting.url}/jobs/{setting.job_id}/apply")
    # The first field, after the skip link, the brand, the four languages and the job's link.
    tab_to(page, "input[type=file][name=resume]", most=8)
    open_file_chooser_with_space(page).set_files(str(RESUME))
    expect(page.get_by_role("button", name="Resume Choose file")).to_be_focused()
    expect(page.locator(".file-name")).to_have_text("resume.pdf")
    expect(page.locator("input[name=first_name]")).to_have_value("Grace")  # autofilled
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "first_name"
    email = f"keyboard-{uuid4().hex[:8]}@example.com"
    tab_to(page, "input[name=email]")
    page.keyboard.press("Control+A")
    page.keyboard.type(email)
    tab_to(page, "input[name=consent]")
    page.keyboard.press("Space")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Thank you, Grace!")).to_be_visible()
    stored = site.applications(email)
    assert len(stored) == 1 and stored[0].resume_filename == "resume.pdf"
    page.close()
