"""The import path for Python child processes the tests start."""
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def python_path(*first):
    """PYTHONPATH for a child: the repo root and ``first``, then the user's own
    PYTHONPATH (an interpreter whose packages come from PYTHONPATH keeps them)."""
    own = os.environ.get("PYTHONPATH")
    return os.pathsep.join([ROOT, *first] + ([own] if own else []))
