"""Shared pytest set-up: a non-interactive backend, the repo root on sys.path,
and a deterministic hypothesis profile for CI."""
import os
import sys

os.environ.setdefault("MPLBACKEND", "Agg")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

try:
    from hypothesis import settings
except ImportError:  # hypothesis is a test requirement; tests that need it will say so
    settings = None
if settings is not None:
    # Locally hypothesis explores new examples every run; CI (CI=true) replays a
    # fixed sequence so a landing never depends on the luck of the draw.
    settings.register_profile("ci", derandomize=True, database=None)
    if os.environ.get("CI"):
        settings.load_profile("ci")
