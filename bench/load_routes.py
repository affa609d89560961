"""The routes ``make load`` drives (bench/load.py), each as a wrk script: which paths, with
which session, what a request posts and what status it should get back."""

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener

LUA = (Path(__file__).resolve().parent / "load.lua").read_text(encoding="utf-8")


@dataclass
class Route:
    name: str
    method: str
    paths: list[str]
    sessions: list[str]
    bodies: list[str] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    expected: int = 200
    # Each connection its own path (a reporter's own report), or any path at random.
    per_connection: bool = False


class FormFields(HTMLParser):
    """The fields a browser would post from the page's first POST form that has them."""

    def __init__(self):
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._in_form = False
        self._select: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post" and not self.fields:
            self._in_form = True
        if not self._in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in {"submit", "button"}:
            if attrs.get("type") in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.fields.append((name, attrs.get("value") or ""))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append((self._select, attrs.get("value") or ""))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "form" and self._in_form:
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, self._text.strip("\n")))
            self._textarea = None


def save_body(base: str, session: str, report: int) -> tuple[str, str]:
    """What the browser posts to save the draft as it stands, and its CSRF cookie."""
    opener = build_opener(HTTPCookieProcessor())
    request = Request(f"{base}/rapporter/{report}/", headers={"Cookie": f"sessionid={session}"})
    with opener.open(request, timeout=30) as response:
        page = response.read().decode()
        cookie = response.headers.get_all("Set-Cookie") or []
    csrf = next(
        match.group(1) for header in cookie if (match := re.match(r"csrftoken=([^;]+)", header))
    )
    parser = FormFields()
    parser.feed(page)
    fields = [(name, value) for name, value in parser.fields if name != "action"]
    return urlencode([*fields, ("action", "save")]), csrf


def lua_list(values: list) -> str:
    return "{" + ", ".join(json.dumps(value) for value in values) + "}"


def lua_headers(route: Route) -> str:
    rows = []
    for index, session in enumerate(route.sessions):
        cookie = f"sessionid={session}"
        header = {"Cookie": cookie, "Accept-Language": "sv"}
        if route.tokens:
            header["Cookie"] += f"; csrftoken={route.tokens[index]}"
            header["Content-Type"] = "application/x-www-form-urlencoded"
        rows.append("{" + ", ".join(f'["{k}"] = {json.dumps(v)}' for k, v in header.items()) + "}")
    return "{" + ", ".join(rows) + "}"


def write_script(route: Route, folder: Path) -> Path:
    """The route's wrk script, in ``folder``."""
    path = folder / f"{route.name}.lua"
    path.write_text(
        LUA
        % {
            "paths": lua_list(route.paths),
            "headers": lua_headers(route),
            "bodies": lua_list(route.bodies) if route.bodies else "{}",
            "method": route.method,
            "expected": route.expected,
            "per_connection": "true" if route.per_connection else "false",
        },
        encoding="utf-8",
    )
    return path


def routes(world: dict, base: str) -> list[Route]:
    """The five routes of the mix, over the sessions of ``bench/load_sessions.py``."""
    viewer = [world["viewer"]]
    clinics = world["clinics"]
    pages = max(1, len(clinics) // 50)
    reports = world["reports"]
    bodies, tokens = zip(
        *(save_body(base, r["session"], r["report"]) for r in reports), strict=True
    )
    return [
        Route("overview", "GET", ["/oversikt/"], viewer),
        Route("clinic_page", "GET", [f"/mottagningar/{pk}/" for pk in clinics], viewer),
        Route(
            "api_clinics",
            "GET",
            [f"/api/v1/clinics/?page={page}" for page in range(1, pages + 1)],
            viewer,
        ),
        Route(
            "matrix",
            "GET",
            [f"/api/v1/compliance/?municipality={m}" for m in world["municipalities"]],
            viewer,
        ),
        Route(
            "report_save",
            "POST",
            [f"/rapporter/{r['report']}/" for r in reports],
            [r["session"] for r in reports],
            bodies=list(bodies),
            tokens=list(tokens),
            expected=302,
            per_connection=True,
        ),
    ]
