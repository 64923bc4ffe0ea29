"""Running scikit-learn's own test files against our classes: shared by the plugins
(``sklearn_gmm_plugin``, ``sklearn_bayes_plugin``) and the tests that start them."""
import os
import re
import subprocess
import sys

import pytest
import sklearn

from child_env import python_path

HERE = os.path.dirname(os.path.abspath(__file__))


def deselect(config, items, reason_of, report):
    """Drop the items ``reason_of(item)`` names a reason for; append (nodeid, reason)
    to ``report``."""
    keep, dropped = [], []
    for item in items:
        reason = reason_of(item)
        if reason is None:
            keep.append(item)
        else:
            dropped.append(item)
            report.append((item.nodeid, reason))
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


def write_summary(terminalreporter, report):
    """One line per deselected function: ``DESELECTED <file>::<function> (<n> cases) -- <reason>``."""
    counts = {}
    for nodeid, reason in report:
        key = (nodeid.split("[")[0].rsplit("/", 1)[-1], reason)
        counts[key] = counts.get(key, 0) + 1
    for (function, reason), n in counts.items():
        terminalreporter.write_line(f"DESELECTED {function} ({n} cases) -- {reason}")


def run_sklearn_tests(tmp_path, plugin, names):
    """Run scikit-learn's ``sklearn/mixture/tests/<names>`` with ``-p plugin`` and the
    float32 variants on (skip when this scikit-learn ships no tests).

    Returns
    -------
    out : str
        pytest's verbose output (the run passed).
    passed : list of (function, "[params]" or "")
    deselected : dict function -> reason
    """
    sk_dir = os.path.dirname(sklearn.__file__)
    files = [os.path.join(sk_dir, "mixture", "tests", f) for f in names]
    missing = [f for f in files if not os.path.exists(f)]
    if missing:         # pip's scikit-learn ships them; some distribution builds strip tests
        pytest.skip(f"this scikit-learn installs no test files ({missing[0]} is missing)")
    env = dict(os.environ, SKLEARN_RUN_FLOAT32_TESTS="1", PYTHONPATH=python_path(HERE))
    # an ini file of its own: a venv inside this checkout would otherwise give
    # scikit-learn's tests this project's pyproject.toml (two xdist workers)
    ini = tmp_path / "pytest.ini"
    ini.write_text("[pytest]\n")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider",
                           "-c", str(ini), "-p", plugin, f"--rootdir={sk_dir}", *files],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
    out = proc.stdout
    assert proc.returncode == 0, out[-6000:] + proc.stderr[-2000:]
    assert not re.search(r"\b(failed|error)\b", out.splitlines()[-1])
    passed = re.findall(r"::(\w+)(\[[^\]]*\])? PASSED", out)
    deselected = dict(re.findall(r"^DESELECTED \S+::(\w+) \(\d+ cases\) -- (.*)$", out, re.M))
    return out, passed, deselected


def deselection_rule(listed, other_class, other_reason):
    """``reason_of(item)``: the reason ``listed[function]``, or ``other_reason`` for a
    case parametrized with an instance of ``other_class``, else None (run it)."""
    def reason_of(item):
        name = getattr(item, "originalname", None) or item.name.split("[")[0]
        if name in listed:
            return listed[name]
        callspec = getattr(item, "callspec", None)
        if callspec is not None and any(isinstance(v, other_class)
                                        for v in callspec.params.values()):
            return other_reason
        return None
    return reason_of


def plugin_hooks(reason_of):
    """A plugin's ``pytest_collection_modifyitems`` and ``pytest_terminal_summary``:
    deselect by ``reason_of`` and list what was deselected, with the reason."""
    report = []

    def pytest_collection_modifyitems(config, items):
        deselect(config, items, reason_of, report)

    def pytest_terminal_summary(terminalreporter):
        write_summary(terminalreporter, report)

    return pytest_collection_modifyitems, pytest_terminal_summary


def ours_in_every_test(name, ours):
    """An autouse fixture: every test that runs sees ``ours`` under ``name`` in its module."""
    @pytest.fixture(autouse=True)
    def runs_against_ours(request):
        assert getattr(request.module, name, ours) is ours
    return runs_against_ours
