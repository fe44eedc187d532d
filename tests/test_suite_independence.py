"""The suite's own hygiene: no test module brings another's tests into its namespace (pytest
would collect and run them twice), and the browser tests write no screenshot into the tracked
docs/ui/ unless asked (SOHOA_UI_SCREENSHOTS)."""
from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def test_no_test_module_imports_another_modules_tests():
    offenders = []
    for path in sorted(TESTS.rglob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[-1].startswith("test_"):
                for alias in node.names:
                    if alias.name == "*" or alias.name.startswith(("test", "Test")):
                        offenders.append(f"{path.relative_to(TESTS)}:{node.lineno} from {node.module} "
                                         f"import {alias.name}")
    assert not offenders, offenders


def test_browser_tests_take_screenshots_through_the_fixture():
    # every screenshot path comes from the ui_shots fixture (a temporary directory by default)
    for name in ("test_ui_browser.py", "test_ui_walkthrough.py"):
        source = (TESTS / name).read_text("utf-8")
        assert '"docs" / "ui"' not in source and "docs/ui" not in source.split('"""', 2)[-1], name
        assert "ui_shots" in source, name
