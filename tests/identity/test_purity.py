from __future__ import annotations

import ast
from pathlib import Path

import onboarding.identity

PACKAGE = Path(onboarding.identity.__file__).parent


def test_it_imports_nothing_from_django_or_the_rest_of_the_project() -> None:
    imported: set[str] = set()
    for source in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)

    assert "stdnum" in {name.split(".")[0] for name in imported}
    assert not {name for name in imported if name.split(".")[0] in {"django", "rest_framework", "celery"}}
    assert not {
        name
        for name in imported
        if name.startswith("onboarding.") and not name.startswith("onboarding.identity")
    }


def test_it_exports_every_name_it_lists() -> None:
    assert all(hasattr(onboarding.identity, name) for name in onboarding.identity.__all__)
    assert {"validate_card", "parse_id_number", "Finding", "Severity", "NATIONS"} <= set(
        onboarding.identity.__all__
    )
