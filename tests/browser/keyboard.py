"""Using the app with the keyboard only, as someone who cannot use a mouse does.

Every helper moves with Tab (or Shift+Tab), chooses with Space and the arrow keys, types,
and presses buttons and links with Enter: no clicks, no ``fill()``. A control that Tab
never reaches, or that the keys do not operate, fails the test with a message naming the
control and where the focus went instead, because that is an accessibility bug (WCAG
2.1.1 Keyboard, 2.4.3 Focus Order). Every control the helpers operate must also show
where the focus is (2.4.7 Focus Visible): an outline or ring, scrolled into view.
"""

import re

import pytest
from django.urls import reverse

from tests.browser.conftest import PASSWORD, path_of, url_of

# A report form has about 40 requirements of up to five tab stops each, and a control
# at its end must still be reachable from the top.
DEFAULT_MAX_PRESSES = 300

# What a person would say the focused element is: enough to find it in the template.
_DESCRIBE_FOCUS = """
  const el = document.activeElement;
  if (!el || el === document.body) return 'the page itself (nothing focused)';
  const parts = [el.tagName.toLowerCase()];
  if (el.id) parts.push('#' + el.id);
  if (el.name) parts.push('[name=' + el.name + ']');
  if (el.type && el.tagName !== 'BUTTON') parts.push('[type=' + el.type + ']');
  const text = (el.labels && el.labels[0] ? el.labels[0].innerText : el.innerText || '');
  const short = text.trim().replace(/\\s+/g, ' ').slice(0, 60);
  return parts.join('') + (short ? ' "' + short + '"' : '');
"""

# One round trip after each Tab: null when the focus reached the target, else where it is.
_FOCUS_CHECK = (
    "els => { if (els.includes(document.activeElement)) return null;" + _DESCRIBE_FOCUS + "}"
)

# One round trip for what choosing a radio needs: the labels, the focused one, the checked one.
_RADIO_STATE = """els => ({
  labels: els.map(e => (e.labels && e.labels[0] ? e.labels[0].innerText : '').trim()),
  focused: els.indexOf(document.activeElement),
  checked: els.findIndex(e => e.checked),
})"""


# Whether the focused element shows a focus indicator and is on screen.
_FOCUS_VISIBLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {ring: false, onScreen: false};
  const style = getComputedStyle(el);
  const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
    || (style.boxShadow && style.boxShadow !== 'none');
  const box = el.getBoundingClientRect();
  const onScreen = box.bottom > 0 && box.top < innerHeight && box.right > 0
    && box.left < innerWidth;
  return {ring, onScreen};
}"""


def assert_focus_visible(page) -> None:
    """The focused element shows a focus indicator and the page has scrolled to it."""
    seen = page.evaluate(_FOCUS_VISIBLE)
    if not (seen["ring"] and seen["onScreen"]):
        problem = "has no visible focus indicator" if not seen["ring"] else "is off screen"
        pytest.fail(
            f"Accessibility bug on {path_of(page)} (WCAG 2.4.7): the focused "
            f"{focused_element(page)} {problem}.",
            pytrace=False,
        )


def focused_element(page) -> str:
    """A short description of ``document.activeElement``, for failure messages."""
    return page.evaluate("() => {" + _DESCRIBE_FOCUS + "}")


def tab_to(page, locator, *, max_presses: int = DEFAULT_MAX_PRESSES, backwards: bool = False):
    """Press Tab (Shift+Tab with ``backwards``) until the locator's element has the focus.

    A locator may match several elements, e.g. the radios of one group: any of them
    counts, since Tab enters a radio group at its checked radio (or its first one).
    Returns the number of presses; nothing is pressed when the element is already focused.
    """
    return _tab_to(page, locator.element_handles(), str(locator), max_presses, backwards)


def _tab_to(page, handles, what: str, max_presses: int, backwards: bool) -> int:
    # The elements are looked up once; each press then costs one key and one check, which
    # matters on a form of some 200 tab stops.
    if not handles:
        pytest.fail(f"No element on {path_of(page)} matches {what}", pytrace=False)
    where = page.evaluate(_FOCUS_CHECK, handles)
    if where is None:
        return 0
    key = "Shift+Tab" if backwards else "Tab"
    trail: list[str] = []
    for presses in range(1, max_presses + 1):
        page.keyboard.press(key)
        where = page.evaluate(_FOCUS_CHECK, handles)
        if where is None:
            return presses
        trail.append(where)
    pytest.fail(
        f"Accessibility bug on {path_of(page)}: {max_presses} presses of {key} never put the "
        f"focus on {what}. A keyboard user cannot reach it. The last stops were:\n  "
        + "\n  ".join(trail[-12:]),
        pytrace=False,
    )


def choose_radio(page, name: str, label: str) -> None:
    """Choose the radio labelled ``label`` in the group ``name``: Tab into the group, then
    the arrow keys (which move and choose at once), or Space when Tab landed on it."""
    group = page.locator(f'input[type="radio"][name="{name}"]')
    radios = group.element_handles()
    _tab_to(page, radios, str(group), DEFAULT_MAX_PRESSES, False)
    state = page.evaluate(_RADIO_STATE, radios)
    if label not in state["labels"]:
        pytest.fail(f"The radio group {name} has no choice {label!r}: {state['labels']}")
    target = state["labels"].index(label)
    if state["checked"] != target:
        steps = target - state["focused"]
        if steps == 0:
            # Tab entered a group with nothing chosen at its first radio: Space chooses it.
            page.keyboard.press("Space")
        for _ in range(abs(steps)):
            page.keyboard.press("ArrowDown" if steps > 0 else "ArrowUp")
    chosen = page.evaluate(
        "({els, i}) => els[i].checked && els[i] === document.activeElement",
        {"els": radios, "i": target},
    )
    if not chosen:
        pytest.fail(
            f"Accessibility bug on {path_of(page)}: the arrow keys did not choose {label!r} "
            f"in the radio group {name}; the focus is on {focused_element(page)}.",
            pytrace=False,
        )
    assert_focus_visible(page)


def choose_option(page, locator, label: str) -> None:
    """Tab to a closed <select> and type the option's text: the browser's type-ahead
    chooses it without opening the list."""
    tab_to(page, locator)
    assert_focus_visible(page)
    page.keyboard.type(label)
    chosen = locator.evaluate("el => el.selectedOptions[0] ? el.selectedOptions[0].text : ''")
    if chosen.strip() != label:
        pytest.fail(
            f"Typing {label!r} on {locator} chose {chosen!r}: is there such an option?",
            pytrace=False,
        )


def _normalized(text: str) -> str:
    return text.replace("\r\n", "\n")


def type_into(page, locator, text: str, *, replace: bool = True) -> None:
    """Tab to a text field and type ``text``; ``replace`` first selects what it holds."""
    tab_to(page, locator)
    assert_focus_visible(page)
    if replace:
        page.keyboard.press("ControlOrMeta+A")
        page.keyboard.press("Delete")
    page.keyboard.type(text)
    value = _normalized(locator.input_value())
    if replace and value != _normalized(text):
        pytest.fail(f"Typing into {locator} gave {value!r}, not {text!r}", pytrace=False)


# Typed into a date field to learn the order of its parts: month, day or year first.
_PROBE_DIGITS = "01022003"
_PROBE_ORDERS = {"2003-01-02": "mdy", "2003-02-01": "dmy"}


def type_date(page, locator, day) -> None:
    """Tab to a date field and type ``day``'s digits, part by part, as a person does.

    The order of the parts (day, month, year) follows the language Chromium runs in, not
    the page's, so the field is asked first: a probe typed into it tells the order (year
    first when it reads as neither of the others). Each part is a tab stop of its own:
    Shift+Tab leaves the field backwards and Tab comes back in at its first part; then the
    date is typed in that order.
    """
    tab_to(page, locator)
    assert_focus_visible(page)
    page.keyboard.type(_PROBE_DIGITS)
    order = _PROBE_ORDERS.get(locator.input_value(), "ymd")
    for _part in range(3):
        page.keyboard.press("Shift+Tab")
        if not locator.evaluate("el => el === document.activeElement"):
            break
    page.keyboard.press("Tab")
    parts = {"y": f"{day.year:04d}", "m": f"{day.month:02d}", "d": f"{day.day:02d}"}
    page.keyboard.type("".join(parts[part] for part in order))
    if locator.input_value() != day.isoformat():
        pytest.fail(
            f"Typing {day.isoformat()} into {locator} (parts in the order {order}) gave "
            f"{locator.input_value()!r}",
            pytrace=False,
        )


def toggle_checkbox(page, locator, *, checked: bool = True) -> None:
    """Tab to a checkbox and press Space if it is not yet as wanted."""
    tab_to(page, locator)
    assert_focus_visible(page)
    if locator.is_checked() != checked:
        page.keyboard.press("Space")
    if locator.is_checked() != checked:
        pytest.fail(f"Space did not change the checkbox {locator}", pytrace=False)


def press(page, locator, *, key: str = "Enter", navigates: bool = True) -> None:
    """Tab to a button or link and press ``key`` on it (Enter; Space also presses a
    button), waiting for the page it leads to when it ``navigates``."""
    tab_to(page, locator)
    assert_focus_visible(page)
    if navigates:
        with page.expect_navigation():
            page.keyboard.press(key)
    else:
        page.keyboard.press(key)


def press_link(page, name: str, *, exact: bool = True, navigates: bool = True) -> None:
    """Tab to the link whose accessible name is ``name`` and follow it with Enter."""
    press(page, page.get_by_role("link", name=name, exact=exact), navigates=navigates)


def press_button(page, name: str, *, exact: bool = True, key: str = "Enter") -> None:
    """Tab to the button whose accessible name is ``name`` and press it; it navigates."""
    press(page, page.get_by_role("button", name=name, exact=exact), key=key)


# --- Signing in and out --------------------------------------------------------------------


def sign_in_by_keyboard(page, live_server, user, password: str = PASSWORD) -> None:
    """Sign ``user`` in through the sign-in form: Tab, type, Enter on the button."""
    page.goto(url_of(live_server, reverse("login")))
    type_into(page, page.locator("#id_username"), user.username)
    type_into(page, page.locator("#id_password"), password)
    press(page, page.locator("main form button[type=submit]"))
    if path_of(page) == reverse("login"):
        errors = page.locator(".errorlist").all_inner_texts()
        pytest.fail(f"Signing in as {user.username} failed: {errors}", pytrace=False)


def sign_out_by_keyboard(page, label: str) -> None:
    """Tab to the header's sign-out button (labelled ``label``) and press it."""
    press(page, page.locator("header").get_by_role("button", name=label, exact=True))
    if path_of(page) != reverse("login"):
        pytest.fail(f"Signing out led to {page.url}, not the sign-in page", pytrace=False)


# --- The report form -----------------------------------------------------------------------

_REQUIREMENTS = """els => els.map(e => ({
  prefix: e.id,
  channel: !!e.querySelector('input[name="' + e.id + '-channel"]'),
  justification: !!e.querySelector('#' + e.id + '-justification'),
}))"""


def report_requirements(page, area: str = "") -> list[dict]:
    """The report form's requirements in page order (of one area, given its id): prefix
    (``r<pk>``), whether it asks for the channel, whether it has a justification field
    ("not applicable" allowed)."""
    scope = f"details#{area} " if area else ""
    return page.locator(f"{scope}fieldset.requirement").evaluate_all(_REQUIREMENTS)


def report_areas(page) -> list[str]:
    """The ids of the report form's areas, in page order."""
    return page.locator("details.report-section").evaluate_all("els => els.map(e => e.id)")


def open_report_area(page, area: str) -> None:
    """Tab to the area's heading (its <summary>) and open it with Enter, if it is closed."""
    details = page.locator(f"details#{area}")
    tab_to(page, details.locator("> summary"))
    assert_focus_visible(page)
    if not details.evaluate("el => el.open"):
        page.keyboard.press("Enter")
    if not details.evaluate("el => el.open"):
        pytest.fail(f"Enter on the heading did not open the area {area}", pytrace=False)


def requirement_pk(prefix: str) -> int:
    match = re.fullmatch(r"r(\d+)", prefix)
    assert match, f"unexpected requirement prefix {prefix!r}"
    return int(match.group(1))


def answer_requirement(
    page,
    prefix: str,
    *,
    status: str,
    channel: str = "",
    evidence_url: str = "",
    comment: str = "",
    justification: str = "",
) -> None:
    """Answer one requirement of the report form by keyboard, its fields in page order
    (status, channel, evidence link, comment, justification), so Tab only moves forward.
    ``status`` and ``channel`` are the visible labels of the choices."""
    choose_radio(page, f"{prefix}-status", status)
    if channel:
        choose_radio(page, f"{prefix}-channel", channel)
    if evidence_url:
        type_into(page, page.locator(f"#{prefix}-evidence_url"), evidence_url)
    if comment:
        type_into(page, page.locator(f"#{prefix}-comment"), comment)
    if justification:
        type_into(page, page.locator(f"#{prefix}-justification"), justification)
