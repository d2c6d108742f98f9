"""The architecture holds (ARCHITECTURE.md): the layers as import-linter's contract, the hub's
templates naming no spoke, and one write path — services are the only writers.

These read the source; they run no Django code, so they are quick and need no database."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

# The apps whose code is checked. The spokes are the apps above the hub.
HUB = "iop"
BOTTOM = "partners"
SPOKES = ("agreements", "decisions", "followups")
# Above the spokes: finance reads agreements and decisions; oversight reads every app below it.
READING_LAYERS = ("finance", "oversight")
APPS = tuple(a for a in (BOTTOM, HUB, *SPOKES, *READING_LAYERS) if (ROOT / a).is_dir())


def run_lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- Layers ----------------------------------------------------------------------------------


def test_the_import_contract_holds():
    result = run_lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("planted_in", "imports"),
    [
        ("iop/planted.py", "from agreements import models"),
        # Lazily, inside a function, counts the same.
        ("iop/views/planted.py", "def f():\n    import agreements.services\n"),
        ("partners/planted.py", "from iop.models import Case"),
        # A spoke never reads the layers above it; finance never reads oversight.
        ("agreements/planted.py", "from finance import timelines"),
        ("finance/planted.py", "import oversight.models"),
    ],
)
def test_the_import_contract_fails_on_a_planted_import(tmp_path, planted_in, imports):
    for app in APPS:
        shutil.copytree(ROOT / app, tmp_path / app, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / planted_in).write_text(imports + "\n")

    result = run_lint_imports(tmp_path)

    assert result.returncode != 0
    planted_module = planted_in.removesuffix(".py").replace("/", ".")
    assert planted_module in result.stdout


def test_no_hub_template_names_a_spoke():
    spokes = "|".join(SPOKES + READING_LAYERS)
    pattern = re.compile(rf"""["']({spokes})[/:]""")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "templates" / HUB).rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


# --- One write path --------------------------------------------------------------------------

WRITE_METHODS = frozenset(
    {
        "save",
        "delete",
        "create",
        "update",
        "bulk_create",
        "bulk_update",
        "get_or_create",
        "update_or_create",
    }
)
# On these the name alone is too common (dict.update, a queryset's .create is always a write
# but so is a form's .save): they count when called on a manager or queryset chain.
QUERYSET_ONLY = frozenset({"update", "create", "delete", "get_or_create", "update_or_create"})
QUERYSET_MARKERS = frozenset(
    {"objects", "filter", "exclude", "all", "select_for_update", "history", "_default_manager"}
)

# Where writes belong, or what is not a domain write.
ALLOWED_DIRS = ("services", "migrations", "tests", "management")
# Writes allowed outside services, each with its reason: reference data (public bodies,
# committees, users; Django admin saves theirs as usual, see REFERENCE_MODELS below) and the
# demo's one backdating helper.
ALLOWED = {
    "iop/demo.py:ensure_committees": "reference data: the demo's region and its committees",
    "iop/demo.py:backdate": "the demo dates its story back after playing it through services",
    "iop/roles.py:sync_roles": "role groups are reference data, written by migrations",
    "iop/tasks.py:notify_officer_assigned": "marks the event notified under its row lock",
    "iop/exports.py:xlsx_bytes": "an openpyxl workbook saved to a buffer, not the ORM",
    "oversight/portfolio.py:table_xlsx": "an openpyxl workbook saved to a buffer, not the ORM",
    "oversight/views/statistics.py:xlsx_bytes": "an openpyxl workbook saved to a buffer, not the ORM",
    "decisions/pdf.py:render_preview_pdf": "a pikepdf document saved to a buffer, not the ORM",
    "decisions/demo.py:ensure_reference_data": "reference data: the demo's perspective headings, "
    "signing officials and logo, as an administrator enters them in admin",
    "decisions/demo.py:held_meeting": "the demo's meetings held before it loads: the service "
    "refuses a new meeting before today",
    "decisions/demo.py:put_on_held_agenda": "the agendas of the demo's meetings held before it "
    "loads: the service refuses a meeting already held",
    "decisions/demo.py:logo_png": "a Pillow image saved to a buffer, not the ORM",
}


@dataclass(frozen=True)
class Write:
    path: str
    where: str  # the enclosing class.function
    line: int
    call: str

    @property
    def key(self) -> str:
        return f"{self.path}:{self.where.split('.')[0]}"

    def __str__(self) -> str:
        return f"{self.path}:{self.line} in {self.where}: .{self.call}()"


def _chain_names(node: ast.AST) -> set[str]:
    """The attribute and function names along a call chain (``Case.objects.filter(...)``)."""
    names: set[str] = set()
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            names.add(node.id)
            return names
        else:
            return names


def orm_writes(source: str, path: str) -> list[Write]:
    """The ORM writes in one module's source, with where they stand."""
    found: list[Write] = []

    class Visitor(ast.NodeVisitor):
        def __init__(self) -> None:
            self.scope: list[str] = []

        def _scoped(self, node):
            self.scope.append(node.name)
            self.generic_visit(node)
            self.scope.pop()

        visit_ClassDef = visit_FunctionDef = visit_AsyncFunctionDef = _scoped

        def visit_Call(self, node: ast.Call) -> None:
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in WRITE_METHODS:
                receiver = func.value
                is_super = (
                    isinstance(receiver, ast.Call)
                    and isinstance(receiver.func, ast.Name)
                    and receiver.func.id == "super"
                    and func.attr in ("save", "delete")
                    and self.scope
                    and self.scope[-1] in ("save", "delete")
                )
                on_queryset = bool(_chain_names(receiver) & QUERYSET_MARKERS)
                commit_false = any(
                    k.arg == "commit" and isinstance(k.value, ast.Constant) and not k.value.value
                    for k in node.keywords
                )
                counts = func.attr not in QUERYSET_ONLY or on_queryset
                if counts and not is_super and not commit_false:
                    found.append(
                        Write(path, ".".join(self.scope) or "<module>", node.lineno, func.attr)
                    )
            self.generic_visit(node)

    Visitor().visit(ast.parse(source))
    return found


def checked_modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if any(part in ALLOWED_DIRS for part in relative.parts[1:-1]):
                continue
            if relative.parts[-1].startswith("test_") or relative.parts[-1] == "conftest.py":
                continue
            yield relative.as_posix(), path.read_text()


def test_only_services_write_to_the_database():
    writes = [w for path, source in checked_modules() for w in orm_writes(source, path)]
    offenders = [str(w) for w in writes if w.key not in ALLOWED]
    assert offenders == [], "ORM writes outside services/:\n" + "\n".join(offenders)


def test_the_allowed_writes_are_still_there():
    # An entry of ALLOWED whose write has gone is a hole for the next one: remove it.
    keys = {w.key for path, source in checked_modules() for w in orm_writes(source, path)}
    assert set(ALLOWED) - keys == set()


@pytest.mark.parametrize(
    "planted",
    [
        "def case_close(request, pk):\n    case = Case.objects.get(pk=pk)\n    case.save()\n",
        "def view(request):\n    Case.objects.filter(pk=1).update(title='x')\n",
        "def view(request):\n    form.instance.events.all().delete()\n",
        "class V:\n    def post(self, request):\n        CaseEvent.objects.create(case=c)\n",
        "def view(request):\n    BudgetLine.objects.bulk_create(rows)\n",
    ],
)
def test_the_write_path_check_finds_a_planted_write_in_a_view(planted):
    assert orm_writes(planted, "iop/views/planted.py") != []


def test_the_write_path_check_leaves_plain_python_alone():
    source = (
        "def view(request):\n"
        "    context = {}\n"
        "    context.update(a=1)\n"
        "    obj = form.save(commit=False)\n"
        "class M:\n"
        "    def save(self, *args, **kwargs):\n"
        "        super().save(*args, **kwargs)\n"
    )
    assert orm_writes(source, "iop/views/planted.py") == []


# Django admin writes through ModelAdmin.save_model/delete_model/save_formset, which the AST
# cannot see: every admin of a domain model must replace them (calling a service) or refuse
# the write altogether.
REFERENCE_MODELS = frozenset({"iop.publicbody", "iop.committee"})


def domain_admins():
    from django.contrib import admin

    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        if model._meta.app_label in APPS and label not in REFERENCE_MODELS:
            yield label, model_admin


def test_the_admin_of_every_domain_model_writes_through_a_service(rf, db):
    from django.contrib import admin
    from django.contrib.auth import get_user_model

    request = rf.get("/")
    request.user = get_user_model()(username="root", is_superuser=True, is_active=True)
    offenders = []
    for label, model_admin in domain_admins():
        may_save = model_admin.has_add_permission(request) or model_admin.has_change_permission(
            request
        )
        may_delete = model_admin.has_delete_permission(request)
        hooks = {
            "save_model": may_save,
            "save_formset": may_save and bool(model_admin.inlines),
            "delete_model": may_delete,
            "delete_queryset": may_delete,
        }
        for hook, writes in hooks.items():
            if writes and getattr(type(model_admin), hook) is getattr(admin.ModelAdmin, hook):
                offenders.append(f"{label}: {type(model_admin).__name__}.{hook} is Django's own")
    assert offenders == [], "\n".join(offenders)


def test_the_state_diagrams_in_architecture_md_match_the_code():
    from django.core.management import call_command

    call_command("workflow_diagram", "--check")
