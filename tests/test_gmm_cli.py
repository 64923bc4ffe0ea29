"""Tests for gmm_cli: argument types, exit statuses, the signal policy."""

import argparse
import signal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import gmm_cli


@pytest.mark.parametrize("text, expected", [("1:4", [1, 2, 3, 4]), ("3", [3]),
                                            ("5,2,3,2", [2, 3, 5]), (" 2:2 ", [2])])
def test_parse_k_list(text, expected):
    assert gmm_cli.parse_k_list(text) == expected


def test_exit_statuses_are_httpie_like():
    assert [int(s) for s in gmm_cli.ExitStatus] == [0, 1, 2, 129, 130, 143]
    assert gmm_cli.exit_status(KeyboardInterrupt()) == (130, "interrupted")
    assert gmm_cli.exit_status(gmm_cli.Terminated(signal.SIGTERM)) == (143, "terminated")
    assert gmm_cli.exit_status(gmm_cli.Terminated(signal.SIGHUP)) == (129, "hung up")
    assert gmm_cli.exit_status(gmm_cli.UsageError("bad  -k\nx")) == (2, "error: bad  -k\\nx")
    assert gmm_cli.exit_status(ValueError("a  b")) == (2, "error: a b")
    status, line = gmm_cli.exit_status(KeyError("x"))
    assert status == 1 and line.startswith("error: internal error (KeyError")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
@example("٣")
@example("1_000")
@example("9" * 400)
@example("infinity")
@example(" 7 ")
@example("'")
@example("00\x1f\U00012544\U00018d09\U00018d09\U00018d09\U0001b2fc")
def test_converters_return_a_value_in_range_or_a_usage_error(text):
    """Any text: a value within the bounds, or argparse's ArgumentTypeError (never
    ValueError, OverflowError or a long echo)."""
    converters = [(gmm_cli.integer(1, 10_000, "an integer >= 1"), 1, 10_000),
                  (gmm_cli.random_seed(2**63 - 1), 0, 2**63 - 1),
                  (gmm_cli.number(0.0, True, None, "a number >= 0"), 0.0, float("inf")),
                  (gmm_cli.number(0.0, False, 5.0, "a number > 0"), 1e-320, 5.0)]
    for parse, low, high in converters:
        try:
            value = parse(text)
        except argparse.ArgumentTypeError as exc:
            assert len(str(exc)) < 400 and ", got " in str(exc)    # a short echo
        else:
            assert low <= value <= high
            assert text.strip().isascii()


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP", "SIGINT"])
def test_signal_policy_leaves_an_ignored_signal_ignored(signame):
    """A signal the caller ignores (nohup, a background job) stays ignored while
    the policy is active, and every handler is restored afterwards."""
    signum = getattr(signal, signame)
    previous = signal.signal(signum, signal.SIG_IGN)
    try:
        with gmm_cli.SignalPolicy():
            assert signal.getsignal(signum) is signal.SIG_IGN
        signal.signal(signum, signal.SIG_DFL if signame != "SIGINT" else signal.default_int_handler)
        with gmm_cli.SignalPolicy():
            assert callable(signal.getsignal(signum))      # now the policy's handler
        assert signal.getsignal(signum) in (signal.SIG_DFL, signal.default_int_handler)
    finally:
        signal.signal(signum, previous)


def test_write_stderr_without_a_stderr_writes_nowhere(monkeypatch, capsys):
    monkeypatch.setattr("sys.stderr", None)
    gmm_cli.write_stderr("error: x")
    assert capsys.readouterr().out == ""
