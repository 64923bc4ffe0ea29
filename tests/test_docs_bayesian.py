"""docs/bayesian.md: every python block runs, and prints what the text says."""
import os
import re
import warnings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _blocks():
    with open(os.path.join(ROOT, "docs", "bayesian.md"), encoding="utf-8") as fh:
        text = fh.read()
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.M | re.S)


def test_every_python_block_runs(capsys):
    blocks = _blocks()
    assert len(blocks) == 4
    for block in blocks:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            exec(compile(block, "bayesian.md", "exec"), {})
        assert [str(w.message) for w in caught if w.filename == "bayesian.md"] == []
    out = capsys.readouterr().out.splitlines()
    assert "effective components: 3" in out
    survivors = [int(re.search(r": (\d+) components", line).group(1))
                 for line in out if line.startswith("weight prior")]
    assert len(survivors) == 3 and survivors[0] <= survivors[1] <= survivors[2]
    assert survivors[0] < survivors[2]
    assert any(line.endswith("effective components 3 of 8") for line in out)
    assert out[-2:] == ["True", "True"]
