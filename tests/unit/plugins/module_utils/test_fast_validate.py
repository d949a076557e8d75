# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The engine's fast argument check is ansible-core's ArgumentSpecValidator, only faster.

For every generated desired state (valid values of the exact type, nulls, aliases, wrong
types, bool-for-int and str subclasses, unknown keys, bad choices, missing required options,
at every nesting level of the host spec), ``_fast_validate`` either defers (None) or returns
exactly what ArgumentSpecValidator returns for the same options less the nulls (a null is
"not managed", docs/desired-state.md): the same keys, values and types, and no error.
``validate_host_options`` gives the same answer with the public-API switch on (the fast
check off) as with it off."""

from __future__ import annotations

import typing as t

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ansible_collections.netbox_zabbix.sync.plugins.module_utils import _engine
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._public_api import PUBLIC_API_ONLY_ENV
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._host_spec import host_argument_spec

PROPERTY = settings(max_examples=250, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))


class TaggedStr(str):
    """A str subclass, as ansible-core's tagged strings are."""


junk = st.one_of(st.none(), st.booleans(), st.integers(-3, 70000), st.floats(allow_nan=False, allow_infinity=False),
                 st.text(max_size=6), st.builds(TaggedStr, st.text(max_size=4)), st.lists(st.integers(), max_size=2),
                 st.dictionaries(st.text(max_size=3), st.integers(), max_size=2), st.just("1"), st.just("yes"))


def of_type(kind: str, opts: dict[str, t.Any], rough: bool) -> st.SearchStrategy:
    """A value of exactly the option's type (a valid choice where it has choices)."""
    if opts.get("choices") and kind != "list":
        return st.sampled_from(list(opts["choices"]))
    if kind == "str":
        return st.text(max_size=8)
    if kind == "bool":
        return st.booleans()
    if kind == "int":
        return st.integers(-2, 70000)
    if kind == "float":
        return st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(-2, 9))
    if kind == "raw":
        return junk
    if kind == "dict":
        if "options" in opts:
            return params_for(opts["options"], rough)
        return st.dictionaries(st.text(max_size=4), st.text(max_size=4), max_size=3)
    if kind == "list":
        elements = opts.get("elements", "raw")
        element_opts = {"choices": opts["choices"]} if opts.get("choices") else {}
        if "options" in opts:
            element_opts["options"] = opts["options"]
        return st.lists(value_for(elements, element_opts, rough), max_size=3)
    return junk


def value_for(kind: str, opts: dict[str, t.Any], rough: bool) -> st.SearchStrategy:
    """Mostly right, sometimes wrong in one of the ways the fast check must defer on."""
    near_misses = [junk]
    if kind == "int":
        near_misses += [st.booleans(), st.integers().map(str)]
    if kind == "str":
        near_misses += [st.builds(TaggedStr, st.text(max_size=4)), st.integers()]
    if opts.get("choices"):
        near_misses.append(st.just("not-a-choice"))
    if not rough:
        return of_type(kind, opts, rough)
    # about one value in 25 wrong: most states hold none or one (the fast check's edge)
    return st.integers(0, 24).flatmap(lambda roll: st.one_of(*near_misses) if roll == 0 else of_type(kind, opts, rough))


@st.composite
def params_for(draw: t.Callable, spec: dict[str, dict[str, t.Any]], rough: bool) -> dict[str, t.Any]:
    """Options of the spec; ``rough``: with explicit Nones, aliases and unknown keys too."""
    params: dict[str, t.Any] = {}
    for name, opts in spec.items():
        choices = ["value"] * 6 + ["absent"] * (1 if opts.get("required") else 6)
        if rough or not (opts.get("choices") or opts.get("default") is not None):
            choices.append("none")
        if rough:
            choices.append("alias")
        how = draw(st.sampled_from(choices))
        if how == "absent":
            continue
        key = name
        if how == "alias":
            if not opts.get("aliases"):
                continue
            key = draw(st.sampled_from(list(opts["aliases"])))
        params[key] = None if how == "none" else draw(value_for(opts.get("type", "str"), opts, rough))
    if rough and draw(st.integers(0, 19)) == 0:
        params[draw(st.sampled_from(["unknown", "hostname", "Host"]))] = draw(junk)
    return params


def same(a: t.Any, b: t.Any) -> bool:
    """Equal, and of the same types all the way down (1 == 1.0 == True is not enough)."""
    if a.__class__ is not b.__class__:
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[key], b[key]) for key in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


SPECS = {with_defaults: host_argument_spec(with_defaults) for with_defaults in (True, False)}
VALIDATORS = {with_defaults: ArgumentSpecValidator(spec) for with_defaults, spec in SPECS.items()}


def check(params: dict[str, t.Any], with_defaults: bool) -> bool:
    """True when the fast check answered (and gave the validator's answer)."""
    fast = _engine._fast_validate(SPECS[with_defaults], params)
    if fast is None:
        return False
    result = VALIDATORS[with_defaults].validate(_engine._without_nulls(SPECS[with_defaults], params))
    assert [str(e) for e in result.error_messages] == []
    assert same(fast, result.validated_parameters), (fast, result.validated_parameters)
    return True


@PROPERTY
@given(params=st.booleans().flatmap(lambda rough: params_for(SPECS[True], rough)))
def test_fast_check_is_the_validator_with_defaults(params: dict[str, t.Any]) -> None:
    event("fast" if check(params, True) else "deferred")


@PROPERTY
@given(params=st.booleans().flatmap(lambda rough: params_for(SPECS[False], rough)))
def test_fast_check_is_the_validator_without_defaults(params: dict[str, t.Any]) -> None:
    event("fast" if check(params, False) else "deferred")


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(params=st.booleans().flatmap(lambda rough: params_for(SPECS[True], rough)))
def test_validate_host_options_is_the_same_with_the_fast_check_off(params: dict[str, t.Any]) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.delenv(PUBLIC_API_ONLY_ENV, raising=False)
        fast = _engine.validate_host_options(params, True)
        monkeypatch.setenv(PUBLIC_API_ONLY_ENV, "1")
        public = _engine.validate_host_options(params, True)
    assert fast[1] == public[1]
    assert same(fast[0], public[0])


def test_generated_inputs_reach_the_fast_check() -> None:
    """The properties above are not vacuous: a typical inventory state takes the fast check."""
    state = {"host": "web01", "host_groups": ["NB Core"], "status": "enabled",
             "interfaces": [{"type": "agent", "ip": "192.0.2.1", "main": True}]}
    fast = _engine._fast_validate(SPECS[True], state)
    assert fast is not None
    assert check(state, True)
    assert _engine._fast_validate(SPECS[True], dict(state, status="sometimes")) is None
    assert _engine._fast_validate(SPECS[True], dict(state, host=TaggedStr("web01"))) is None
