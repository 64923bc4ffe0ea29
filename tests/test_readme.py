"""README.md and docs/*.md as a newcomer copies them: every command in their
```bash blocks is run by some test, and the ones no other file runs are run
here, verbatim, over a scratch copy of what a fresh clone holds (the committed
example files included, so a command that would refuse to overwrite them fails
here); every relative link and image points to a file that exists, and the
README links every docs page.
"""
import os
import posixpath
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
def pages():
    """README.md and docs/*.md: ``{path: text}``, the README first."""
    return readme_commands.documented_pages()


@pytest.fixture(scope="module")
def readme(pages):
    return pages["README.md"]


def _all_commands(pages):
    """The ```bash commands of every page, in page order, each once."""
    commands = []
    for text in pages.values():
        commands += [c for c in readme_commands.bash_commands(text) if c not in commands]
    return commands


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
    assert readme.index(section) == readme.index("\n## ")          # the first section
    assert "python3 -m venv .venv && . .venv/bin/activate" in section


def test_readme_is_read_in_five_minutes(readme):
    assert len(readme.splitlines()) <= 250
    assert readme.index("](examples/demo.gif)") < readme.index("\n## ")  # the headline GIF first


def test_every_documented_command_is_run_by_a_test(pages):
    commands = _all_commands(pages)
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
            raise AssertionError(f"the docs show a command no test runs: {command!r}")
    assert SETUP_COMMANDS[0].split(" && python visualize_gmm.py ")[1] in visualize
    # and the lists hold nothing the pages no longer show
    shown = set(commands)
    assert {f"python data_gen.py {c}" for c in data} <= shown
    assert {f"python visualize_gmm.py {c}" for c in EXAMPLE_COMMANDS} <= shown
    assert {INSTALL_COMMAND, *INSTALLED_COMMANDS} <= shown
    assert {f"python visualize_gmm.py {c}" for c in readme_commands.README_COMMANDS} <= set(
        readme_commands.bash_commands(pages["README.md"]))


def test_data_gen_commands_run_verbatim_in_a_fresh_clone(pages, fresh_clone, capsys):
    shown = [c.split(" ", 2)[2] for c in _all_commands(pages)
             if c.startswith("python data_gen.py ") and BIG_DATA_GENERATE not in c]
    assert sorted(shown) == sorted(list(DATA_COMMANDS.values()) + OWN_DATA_COMMANDS)
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


def test_python_blocks_run_in_a_fresh_clone(pages, fresh_clone, capsys):
    blocks = [(name, block) for name, text in pages.items()
              for block in re.findall(r"^```python\n(.*?)^```", text, flags=re.M | re.S)]
    assert len(blocks) >= 3 and any("animate(" in b for name, b in blocks if name == "README.md")
    for name, block in blocks:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            exec(compile(block, name, "exec"), {})
        # no warning aimed at the page's own lines (e.g. an old keyword name)
        assert [str(w.message) for w in caught if w.filename == name] == []
        printed = capsys.readouterr().out.splitlines()
        if "em_steps(" in block:       # the library block prints one line per EM state
            assert printed and printed[-1].endswith(" True"), name
    # the README's five lines and the notebook block saved their GIFs
    for gif in ("fit.gif", "circles.gif"):
        with Image.open(gif) as im:
            assert im.n_frames > 2


#: a markdown link or image: ``[text](target)`` or ``![alt](target)``
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def _slug(heading):
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to -."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(markdown):
    """The anchors of a page's headings (a ``# comment`` in a code block is none)."""
    markdown = re.sub(r"^```.*?^```", "", markdown, flags=re.M | re.S)
    return {_slug(h) for h in re.findall(r"^#+ (.*)$", markdown, flags=re.M)}


def test_slug_follows_github():
    assert _slug("Mixed units, chosen columns, results to take away") == \
        "mixed-units-chosen-columns-results-to-take-away"
    assert _slug("`--select-k`") == "--select-k"
    assert _slug("The GMM library (`gmm.py`)") == "the-gmm-library-gmmpy"


def test_relative_links_and_images_point_to_existing_files(pages):
    checked = 0
    for name, text in pages.items():
        text = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)     # not inside code
        for target in LINK.findall(text):
            if re.match(r"[a-z]+:", target):
                continue                                            # https:, mailto:
            path, _, anchor = target.partition("#")
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(name), path)) \
                if path else name
            assert not resolved.startswith(".."), (name, target)
            assert os.path.isfile(os.path.join(ROOT, resolved)), f"{name}: {target} is missing"
            if anchor and resolved.endswith(".md"):
                with open(os.path.join(ROOT, resolved), encoding="utf-8") as fh:
                    assert anchor in _anchors(fh.read()), f"{name}: no heading for {target}"
            checked += 1
    assert checked > 20


def test_readme_links_every_docs_page(pages, readme):
    linked = set(LINK.findall(readme))
    docs = [name for name in pages if name.startswith("docs/")]
    assert len(docs) >= 8
    for name in docs:
        assert name in linked, f"README.md does not link {name}"


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
