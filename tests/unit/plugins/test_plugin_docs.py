"""Every plugin's DOCUMENTATION, EXAMPLES and RETURN is YAML that loads.

ansible-doc and the sanity tests catch the same thing, minutes later; a colon followed by a space inside
an unquoted description line turns it into a mapping and the whole document stops loading.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

PLUGINS = Path(__file__).resolve().parents[3] / "plugins"
DOC_NAMES = ("DOCUMENTATION", "EXAMPLES", "RETURN")


def _doc_strings() -> list[tuple[str, str, str]]:
    found = []
    for path in sorted(PLUGINS.rglob("*.py")):
        for node in ast.parse(path.read_text()).body:
            if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                    and node.targets[0].id in DOC_NAMES and isinstance(node.value, ast.Constant)):
                found.append((str(path.relative_to(PLUGINS)), node.targets[0].id, node.value.value))
    return found


DOCS = _doc_strings()


def test_the_plugins_have_documentation() -> None:
    documented = {path for path, name, _text in DOCS if name == "DOCUMENTATION"}
    assert {"modules/zabbix_host_sync.py", "modules/zabbix_host_sync_batch.py", "inventory/hostconfig.py"} <= documented


@pytest.mark.parametrize("path, name, text", DOCS, ids=[f"{path}:{name}" for path, name, _text in DOCS])
def test_documentation_is_yaml_that_loads(path: str, name: str, text: str) -> None:
    documents = list(yaml.safe_load_all(text))  # an inventory plugin's EXAMPLES may hold several config files
    if name == "DOCUMENTATION":
        assert len(documents) == 1 and isinstance(documents[0], dict) and documents[0].get("short_description"), path
