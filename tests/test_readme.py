"""README.md as a newcomer copies it: every command in its ```bash blocks is run
by some test, and the ones no other file runs are run here, verbatim, over a
scratch copy of what a fresh clone holds (the committed example files included,
so a command that would refuse to overwrite them fails here).
"""
import os
import re
import shlex
import shutil
import warnings

import numpy as np
import pytest
from PIL import Image

import data_gen
import readme_commands
from readme_commands import (BIG_DATA_BENCH, BIG_DATA_GENERATE, BIG_DATA_INSTALL,
                             CLICKED_START_SCRIPT, CUSTOMERS_SCRIPT, DATA_COMMANDS,
                             EXAMPLE_COMMANDS,
                             INSTALL_COMMAND, INSTALLED_COMMANDS, OWN_DATA_COMMANDS,
                             RESULTS_COMMANDS, SETUP_COMMANDS)
from visualize_gmm import main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")


@pytest.fixture(scope="module")
def readme():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as fh:
        return fh.read()


def _section(markdown, heading):
    """The text of the ``## heading`` section, up to the next ``## `` heading."""
    start = markdown.index(f"\n## {heading}\n")
    end = markdown.find("\n## ", start + 1)
    return markdown[start:] if end < 0 else markdown[start:end]


@pytest.fixture
def fresh_clone(tmp_path, monkeypatch):
    """A scratch directory holding the committed examples/, as the working directory."""
    shutil.copytree(EXAMPLES, tmp_path / "examples",
                    ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_bash_commands_parse_blocks_comments_and_whitespace():
    text = ("intro `python inline.py`\n```bash\npython a.py  -k 1   # why\n\n"
            "tool --x   # note\n```\n```python\nprint(1)\n```\n```bash\n# only a comment\n"
            "b && c\n```\n")
    assert readme_commands.bash_commands(text) == ["python a.py -k 1", "tool --x", "b && c"]


def test_first_section_is_exactly_the_two_setup_commands(readme):
    section = _section(readme, "Set up (fresh machine)")
    assert readme_commands.bash_commands(section) == SETUP_COMMANDS
    assert readme.index(section) < readme.index("\n## Usage\n")


def test_every_readme_command_is_run_by_a_test(readme):
    commands = readme_commands.bash_commands(readme)
    visualize = readme_commands.visualize_commands()
    data = set(DATA_COMMANDS.values()) | set(OWN_DATA_COMMANDS) | {BIG_DATA_GENERATE}
    for command in commands:
        if command in (BIG_DATA_INSTALL, BIG_DATA_BENCH):
            pass      # test_gmm_scale: the extra's pyproject entry, the benchmark at small n
        elif command in SETUP_COMMANDS:
            pass      # .ci/run runs the test command verbatim; the demo's flags: below
        elif command == INSTALL_COMMAND or command in INSTALLED_COMMANDS:
            pass      # test_notebook: the wheel in a fresh venv, then these verbatim
        elif command == CUSTOMERS_SCRIPT:
            pass      # below: rewrites examples/customers.csv byte for byte
        elif command == CLICKED_START_SCRIPT:
            pass      # below: rewrites examples/clicked_start.gif
        elif command.startswith("python visualize_gmm.py "):
            assert command.split(" ", 2)[2] in visualize, f"no test runs {command!r}"
        elif command.startswith("python data_gen.py "):
            assert command.split(" ", 2)[2] in data, f"no test runs {command!r}"
        else:
            raise AssertionError(f"README shows a command no test runs: {command!r}")
    assert SETUP_COMMANDS[0].split(" && python visualize_gmm.py ")[1] in visualize
    # and the lists hold nothing the README no longer shows
    shown = set(commands)
    assert {f"python data_gen.py {c}" for c in data} <= shown
    assert {f"python visualize_gmm.py {c}" for c in EXAMPLE_COMMANDS} <= shown
    assert {INSTALL_COMMAND, *INSTALLED_COMMANDS} <= shown


def test_data_gen_commands_run_verbatim_in_a_fresh_clone(readme, fresh_clone, capsys):
    shown = [c.split(" ", 2)[2] for c in readme_commands.bash_commands(readme)
             if c.startswith("python data_gen.py ") and BIG_DATA_GENERATE not in c]
    assert shown == list(DATA_COMMANDS.values()) + OWN_DATA_COMMANDS
    for command in shown:
        assert data_gen.main(shlex.split(command)) == 0, capsys.readouterr().err
    for name in DATA_COMMANDS:          # regenerated over the committed copies, same numbers
        np.testing.assert_array_equal(np.load(f"examples/{name}.npy"),
                                      np.load(os.path.join(EXAMPLES, f"{name}.npy")))
    assert np.load("out.npy").shape == (2000, 2)


def test_example_gif_commands_run_verbatim_in_a_fresh_clone(fresh_clone):
    for command in EXAMPLE_COMMANDS:
        name = command.split()[-1]
        before = os.path.getmtime(name)
        os.utime(name, (before - 60, before - 60))
        assert main(shlex.split(command)) == 0, command
        assert os.path.getmtime(name) > before - 60            # written over the clone's copy
        with Image.open(name) as new, Image.open(os.path.join(ROOT, name)) as committed:
            assert (new.size, new.n_frames) == (committed.size, committed.n_frames)


def test_python_blocks_run_in_a_fresh_clone(readme, fresh_clone, capsys):
    blocks = re.findall(r"^```python\n(.*?)^```", readme, flags=re.M | re.S)
    assert len(blocks) >= 2 and any("animate(" in b for b in blocks)
    for block in blocks:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            exec(compile(block, "README.md", "exec"), {})
        # no warning aimed at the README's own lines (e.g. an old keyword name)
        assert [str(w.message) for w in caught if w.filename == "README.md"] == []
    # the notebook block saved its GIF; the library block printed one line per EM state
    with Image.open("circles.gif") as im:
        assert im.n_frames > 2
    lines = capsys.readouterr().out.splitlines()
    assert lines and lines[-1].endswith(" True")


def test_ci_runs_the_readme_test_command_in_a_fresh_venv():
    with open(os.path.join(ROOT, ".ci", "run"), encoding="utf-8") as fh:
        lines = [line.strip() for line in fh if line.strip() and not line.startswith("#")]
    assert lines[-1] == SETUP_COMMANDS[1]
    assert "set -euo pipefail" in lines
    assert any("-m venv" in line for line in lines)
    assert any(line.startswith('. "$venv/bin/activate"') for line in lines)


def test_real_data_commands_run_verbatim_in_a_fresh_clone(fresh_clone, capsys):
    """The customers script rewrites the committed CSV byte for byte, and the
    results command writes one labels row per customer plus a parameter file
    naming the chosen columns."""
    import subprocess
    import sys

    import gmm
    script = shlex.split(CUSTOMERS_SCRIPT)
    os.remove("examples/customers.csv")
    subprocess.run([sys.executable, *script[1:]], check=True)
    with open("examples/customers.csv", "rb") as new, \
            open(os.path.join(EXAMPLES, "customers.csv"), "rb") as committed:
        assert new.read() == committed.read()
    for command in RESULTS_COMMANDS:
        assert main(shlex.split(command)) == 0, capsys.readouterr().err
    with open("labels.csv", encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    assert lines[0].split(",")[1:] == ["label", "responsibility_0", "responsibility_1",
                                       "responsibility_2"]
    assert len(lines) == 601 and [line.split(",")[0] for line in lines[1:4]] == ["0", "1", "2"]
    assert gmm.load_params("fit.json")["options"]["column_names"] == ["income", "age"]
    assert os.path.exists("fit.png")


def test_clicked_start_script_rewrites_its_gif_in_a_fresh_clone(fresh_clone):
    """The README's clicked-start GIF comes from its command: the same frames, and
    the clicked start ends worse than one click per cluster."""
    import subprocess
    import sys

    from child_env import python_path
    name = "examples/clicked_start.gif"
    os.remove(name)
    proc = subprocess.run([sys.executable, *shlex.split(CLICKED_START_SCRIPT)[1:]],
                          env=dict(os.environ, PYTHONPATH=python_path()),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    with Image.open(name) as new, Image.open(os.path.join(ROOT, name)) as committed:
        assert (new.size, new.n_frames) == (committed.size, committed.n_frames)
    bad, good = (float(line.rsplit(" ", 1)[1]) for line in proc.stdout.splitlines()[:2])
    assert bad < good - 0.5
