"""Celery tasks are thin interfaces over the services, and import them inside their bodies:
the services enqueue tasks (``from clinics import tasks``), so a task module importing a
service at its top would make an import cycle between the two."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP_MODULES = ("clinics", "followup", "requirements", "halland_utbud")


def _top_level_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names.append(node.module or "")
    return names


@pytest.mark.parametrize(
    "path", sorted(ROOT.glob("*/tasks.py")), ids=lambda path: path.parent.name
)
def test_a_task_module_imports_nothing_of_the_app_at_its_top(path):
    assert [name for name in _top_level_imports(path) if name.split(".")[0] in APP_MODULES] == []


def test_the_expiry_the_nightly_task_runs_is_the_cases_service():
    from clinics.services import case_jobs, cases

    assert case_jobs.expire_due_cases is cases.expire_due_cases
