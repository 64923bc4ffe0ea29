"""Helpers for tests that start the CLI as a real child process."""

import signal


def sigint_default():
    """``preexec_fn`` that gives the child the default Ctrl-C behaviour.

    A shell starts background jobs (``pytest ... &``, some CI runners) with
    SIGINT ignored, and a child inherits that; the CLI then rightly leaves
    Ctrl-C alone, and a test that sends SIGINT would see the save finish.
    With SIGINT back at its default, Python installs its KeyboardInterrupt
    handler in the child as it does in a terminal.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)
