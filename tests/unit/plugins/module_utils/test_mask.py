# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one mask function: what the engine's per-host errors and the run report both go through.

There were two: the engine's replaced known values longest first but let token-shaped text
through; the report's masked token shapes but replaced values in the order given, so a secret
containing another came out half masked. The kept one does both.
"""

from __future__ import annotations

import ast
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.netbox_zabbix.sync.plugins.module_utils import _engine, _mask
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._mask import MASK, mask_data, mask_text
from ansible_collections.netbox_zabbix.sync.plugins.plugin_utils import _drift_report, _sync_report

COLLECTION = Path(__file__).resolve().parents[4]

ZABBIX_TOKEN = "0123456789abcdef" * 4


def test_a_secret_containing_another_is_masked_whole_whatever_the_order() -> None:
    for secrets in (["secret1", "secret12"], ["secret12", "secret1"]):
        assert mask_text("a secret1 and secret12", secrets) == f"a {MASK} and {MASK}"


def test_token_shapes_are_masked_without_being_told_the_value() -> None:
    masked = mask_text(f"host.get failed: Authorization: Bearer {ZABBIX_TOKEN}", [])
    assert ZABBIX_TOKEN not in masked and "host.get failed" in masked


def test_empty_and_duplicate_secrets_change_nothing_else() -> None:
    message = "sw-core-01: templates[1]: template 'Foo' not found (hostid 10650)"
    assert mask_text(message, ["", "", "absent-value"]) == message


def test_mask_data_masks_values_not_keys() -> None:
    data = {"tls_psk": "psk-value-123", "errors": ["bad psk-value-123"]}
    assert mask_data(data, ["psk-value-123"]) == {"tls_psk": MASK, "errors": [f"bad {MASK}"]}


def test_engine_and_reports_use_the_same_function() -> None:
    assert _engine.mask_text is _sync_report.mask_text is _drift_report.mask_text is _mask.mask_text


def test_masking_is_defined_once() -> None:
    """No module but _mask.py defines a masking function (issue 12: there were two mask_text)."""
    defined = {}
    for path in sorted((COLLECTION / "plugins").rglob("*.py")) + sorted((COLLECTION / "extensions").rglob("*.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef) and "mask" in node.name.lower() and not node.name.startswith("_"):
                defined.setdefault(str(path.relative_to(COLLECTION)), []).append(node.name)
    assert defined == {"plugins/module_utils/_mask.py": ["masked", "mask_text", "mask_data"]}


def _reference_mask_text(text: str, secrets: list[str]) -> str:
    """mask_text as first written: sort the secrets and run every pattern on every string."""
    for secret in sorted({secret for secret in secrets if secret}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    for pattern, replacement in _mask._SECRET_PATTERNS:  # pylint: disable=protected-access
        text = pattern.sub(replacement, text)
    return text


_TEXT = st.one_of(
    st.text(max_size=80),
    st.from_regex(r"[0-9]{1,40}", fullmatch=True),  # ids: the digits-only shortcut
    st.from_regex(r"(token|Bearer|psk=|nbt_)[ ]?[0-9a-fA-F]{4,70}", fullmatch=True),
)


@settings(max_examples=400, deadline=None)
@given(texts=st.lists(_TEXT, max_size=6), secrets=st.lists(st.one_of(st.text(max_size=12), st.from_regex(r"[0-9]{1,6}", fullmatch=True)), max_size=4))
def test_masking_gives_what_the_first_algorithm_gave(texts: list[str], secrets: list[str]) -> None:
    # The per-host event log masks every record: the secrets are sorted once per structure and
    # digits-only strings skip the patterns. Neither may change a single character of the output.
    assert [mask_text(text, secrets) for text in texts] == [_reference_mask_text(text, secrets) for text in texts]
    assert mask_data({"items": texts, "n": 3}, secrets) == {"items": [_reference_mask_text(text, secrets) for text in texts], "n": 3}
