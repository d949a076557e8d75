# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The event source is a plain file that ansible-rulebook loads with runpy: load it the same way."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[4]
SOURCE = REPO / "extensions" / "eda" / "plugins" / "event_source" / "netbox_webhook.py"
FIXTURES = REPO / "tests" / "unit" / "fixtures" / "netbox_webhooks"


def load_source():
    spec = importlib.util.spec_from_file_location("netbox_webhook_source", SOURCE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def source():
    return load_source()


@pytest.fixture(scope="session")
def deliveries():
    """Recorded deliveries of a real NetBox 4.7.3 (see the fixtures' README.md): name -> delivery."""
    return {path.stem: json.loads(path.read_text()) for path in sorted(FIXTURES.glob("*.json")) if path.stem != "index"}


@pytest.fixture(scope="session")
def index_rows():
    """What NetBox's API listed just before the deliveries were recorded (index.json)."""
    return json.loads((FIXTURES / "index.json").read_text())
