"""The commands the README and the docs/ pages show, in one place.

Each test file runs its own page's commands verbatim; test_readme checks that
every command in the ```bash blocks of README.md and docs/*.md is one of these
(so no page can show a command no test runs), and test_visualize_gmm and
test_data_gen check the ``python visualize_gmm.py`` and example-data lines.
"""
import glob
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

#: the README's first section, exactly: what a newcomer types on a fresh machine
#: (.ci/run runs the second one verbatim in a fresh venv)
SETUP_COMMANDS = [
    "pip install -r requirements.txt && python visualize_gmm.py -k 5 -m 5",
    "pip install -r requirements-dev.txt && python -m pytest -q",
]

#: the commands of docs/usage.md ("Running it, and saving"; the README shows
#: the first with --save out.gif and --save out.html); test_visualize_gmm runs each as shown and
#: with one form of saving from SAVE_FORMS (USAGE_RUNS), so every command and
#: every form of saving runs at least once without running every pair
USAGE_COMMANDS = [
    "-k 5 -m 5",
    "-k 5 -m 5 --hide_covs --hide_real",
    "-k 20 --load_path examples/circles.npy --init kmeans++ --print_ll -i 100 --fps 15",
]
SAVE_FORMS = ["--save out.gif", "-s out.gif", "--save out.mp4", "--save out.html",
              "--save out.png"]
USAGE_RUNS = USAGE_COMMANDS + [
    f"{USAGE_COMMANDS[i % len(USAGE_COMMANDS)]} {s}" for i, s in enumerate(SAVE_FORMS)]

#: the commands that made the GIFs examples/demo.gif, examples/circles.gif
#: (docs/usage.md) and examples/customers.gif (docs/real-data.md); test_readme
#: runs them verbatim over a fresh clone's files
EXAMPLE_COMMANDS = [
    "-k 5 -m 5 --seed 32 --save examples/demo.gif",
    "-k 20 --load_path examples/circles.npy --init kmeans++ -i 100 --fps 15 --seed 0 "
    "--size 4.6 4.6 --save examples/circles.gif",
    "-k 3 --load_path examples/customers.csv --columns income,age --seed 0 "
    "--save examples/customers.gif",
]

#: the script that made examples/clicked_start.gif (docs/live-window.md, "Hands on");
#: test_readme runs it verbatim over a fresh clone's files
CLICKED_START_SCRIPT = "python examples/clicked_start.py"

#: docs/real-data.md's "Mixed units" commands besides its GIF (the results
#: command is in the README too): the script that writes
#: examples/customers.csv, and a run that takes its results away; test_readme
#: runs them verbatim over a fresh clone's files
CUSTOMERS_SCRIPT = "python examples/make_customers.py"
RESULTS_COMMANDS = [
    "-k 3 --load_path examples/customers.csv --columns income,age --seed 0 "
    "--save-labels labels.csv --save-params fit.json --save fit.png",
]

#: docs/real-data.md's "Tables from R" commands: NA cells left out, labels of
#: every row, columns by name and by number; test_gmm_table runs them verbatim
#: in a scratch copy of examples/
TABLES_COMMANDS = [
    "-k 2 --load_path examples/airquality.csv --drop-missing --seed 4 --save air.png",
    "-k 2 --load_path examples/airquality.csv --columns Ozone,Temp --drop-missing --seed 4 "
    "--save-labels air_labels.csv --save air_2d.png",
    "-k 3 --load_path examples/economics.csv --columns psavert,uempmed,unemploy --seed 1 "
    "--save econ.png",
    "-k 3 --load_path examples/economics.csv --columns 3,4 --seed 1 --save econ_34.png",
]

#: the commands that made examples/gallery/ (docs/teaching.md); test_gmm_teaching runs
#: them verbatim in a scratch directory
GALLERY_OPTIONS = "-k 4 -m 4 -N 400 --max_radius 5 --seed 16"
GALLERY_COMMANDS = [
    f"{GALLERY_OPTIONS} --ll-panel --save examples/gallery/ll_panel.gif",
    f"{GALLERY_OPTIONS} --soft --save examples/gallery/soft.gif",
    f"{GALLERY_OPTIONS} --compare kmeans --save examples/gallery/compare_kmeans.gif",
    f"{GALLERY_OPTIONS} --contours --save examples/gallery/contours.gif",
    f"{GALLERY_OPTIONS} --ll-panel --soft --compare kmeans --contours "
    "--save examples/gallery/all_views.png",
]

#: the command that made examples/half_steps.gif (docs/teaching.md, "EM's two
#: steps apart"); test_gmm_steps runs it verbatim in a scratch directory
HALF_STEPS_COMMAND = ("-k 3 -m 3 -N 300 --max_radius 5 --seed 4 --half-steps --trails "
                      "--explain --track 0 0 -i 8 --tol 0 --fps 2 --save examples/half_steps.gif")

#: the analysis commands of docs/choosing-k.md and docs/real-data.md (the first
#: two made examples/choosing_k.png and examples/iris.gif; the third is in the
#: README too); test_visualize_gmm_analysis runs them verbatim in a scratch copy of examples/
ANALYSIS_COMMANDS = [
    "-m 4 -N 800 --select-k 1:8 --n-init 3 --seed 2 --save examples/choosing_k.png",
    "-k 3 --load_path examples/iris.csv --seed 0 --save examples/iris.gif",
    "--load_path examples/iris.csv --select-k 1:6 --n-init 5 --seed 1 --save iris_k.png",
    "-k 3 --load_path examples/iris.csv --dims 2 3 --covariance-type diag --save petals.png",
    "-k 3 --load_path examples/iris.csv --seed 0 --save-params fit.npz --save iris.png",
    "--load_path examples/iris.csv --init-params fit.npz -i 0 --save start.png",
    "--load_path examples/iris.csv --select-k 1:9 --covariance-type all --seed 0 --save sel.png",
    "--load_path examples/faithful.csv --columns 0 --select-k 1:6 --covariance-type all --seed 0 "
    "--save one_column.png",
    "--load_path examples/customers.csv --columns income,age --select-k 1:4 --covariance-type all "
    "--seed 0 --save units.png",
]

#: data_gen.py's commands that made the example data files (docs/real-data.md,
#: name -> arguments);
#: test_data_gen re-runs them and compares with the committed files, and
#: test_readme runs them verbatim over a fresh checkout's copies (hence --force)
DATA_COMMANDS = {
    "circles": "circles -N 1000 --noise 0.1 --seed 0 -o examples/circles.npy --force",
    "spirals": "spirals -N 1000 --noise 0.1 --seed 0 -o examples/spirals.npy --force",
    "moons": "moons -N 1000 --noise 0.1 --seed 0 -o examples/moons.npy --force",
}

#: the "make your own data" commands (the first in the README and
#: docs/real-data.md, the second in docs/one-dimensional.md); test_readme runs
#: them verbatim
OWN_DATA_COMMANDS = ["gaussians -N 2000 --seed 0 -o out.npy",
                     "gaussians -d 1 -N 500 --seed 0 -o line.csv"]

#: docs/one-dimensional.md's commands (the first two made
#: examples/faithful_eruptions.gif and examples/faithful.gif; the third is in
#: the README too); test_scene1d runs
#: them verbatim in a scratch copy of examples/
ONE_D_COMMANDS = [
    "-k 2 --load_path examples/faithful.csv --dims 0 --seed 0 "
    "--save examples/faithful_eruptions.gif",
    "-k 2 --load_path examples/faithful.csv --seed 0 --save examples/faithful.gif",
    "-d 1 -m 3 -k 3 -N 600 --seed 1 --soft --ll-panel --save line.png",
]

#: docs/bayesian.md's command-line commands ("Watching components fade"): the
#: headline run, the one that made examples/bayes_fading.gif, a weight prior,
#: 1-D, results taken away and --select-k beside the variational fit on Old
#: Faithful and iris; test_gmm_fading runs them verbatim in a scratch copy of examples/
BAYES_COMMANDS = [
    "-k 10 -m 4 --bayesian",
    "-k 10 -m 4 --bayesian --seed 2 --ll-panel --save examples/bayes_fading.gif",
    "-k 10 -m 4 --bayesian dirichlet --weight-prior 1000 --seed 2 --print_ll --save prior.png",
    "-d 1 -k 8 -m 3 --bayesian --seed 3 --save line.png",
    "-k 10 --load_path examples/faithful.csv --bayesian --seed 0 --save-params vb.json "
    "--save-labels vb.csv --save vb.png",
    "--load_path examples/faithful.csv --select-k 1:10 --bayesian --seed 0 --save faithful_k.png",
    "--load_path examples/iris.csv --select-k 1:10 --bayesian --seed 0 --save iris_k.png",
]

#: docs/library.md's "Install as a package" block: INSTALL_COMMAND, then the
#: installed commands, which test_notebook runs verbatim in a fresh venv holding
#: the wheel (built offline, the equivalent of ``pip install .``)
INSTALL_COMMAND = "pip install ."
INSTALLED_COMMANDS = [
    "visualize-gmm --version",
    "visualize-gmm -k 3 -m 3 -i 3 --save x.gif",
    "gmm-data circles -o c.npy",
]


#: docs/big-data.md's commands: the dask extra, a 1e8-point file, its
#: animation and the scale benchmark; test_gmm_scale runs them verbatim but
#: for the size (-N 20000, the memory-mapped path forced; the benchmark at
#: --n 20000 without dask); the extra is the pyproject "dask" extra it checks
BIG_DATA_INSTALL = "pip install .[dask]"
BIG_DATA_GENERATE = "gaussians -N 100000000 -m 5 --seed 0 -o big.npy"
BIG_DATA_ANIMATE = "--load_path big.npy -k 5 -i 19 --seed 0 --save big.gif"
BIG_DATA_BENCH = "python bench/bench_scale.py"

#: the README's own runs that no page's list above holds: the seeded demo (the
#: run that made examples/demo.gif, in a live window) and a teaching view;
#: test_visualize_gmm runs them verbatim (headless, so they save gmm_vid.gif)
README_COMMANDS = [
    "-k 5 -m 5 --seed 32",
    "-k 5 -m 5 --seed 32 --ll-panel --soft",
]


#: docs/more-columns.md's runs (the README shows the first): the scatter matrix,
#: its teaching views, chosen columns, the biplot and two columns;
#: test_gmm_scene_pairs runs them verbatim over a scratch copy of examples/
MORE_COLUMNS_COMMANDS = [
    "-k 3 --load_path examples/iris.csv --seed 1 --save iris_pairs.png",
    "-k 3 --load_path examples/iris.csv --seed 1 --soft --uncertainty --ll-panel --save iris_soft.png",
    "-k 3 --load_path examples/iris.csv --columns 0,2,3 --seed 1 --save three.png",
    "-k 3 --load_path examples/iris.csv --view pca --seed 1 --save iris_pca.png",
    "-k 3 --load_path examples/iris.csv --dims 2 3 --seed 1 --save petals.png",
]


def documented_pages():
    """README.md and every docs/*.md page, as ``{path relative to the root: text}``."""
    paths = ["README.md"] + sorted(
        os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, "docs", "*.md")))
    pages = {}
    for path in paths:
        with open(os.path.join(ROOT, path), encoding="utf-8") as fh:
            pages[path.replace(os.sep, "/")] = fh.read()
    return pages


def bash_commands(markdown):
    """The command lines of every ```bash block of ``markdown``, in order.

    Trailing ``# comments`` are dropped and whitespace is normalised; blank
    lines are skipped.
    """
    commands = []
    for block in re.findall(r"^```bash\n(.*?)^```", markdown, flags=re.M | re.S):
        for line in block.splitlines():
            line = " ".join(re.sub(r"(^|\s)#.*$", "", line).split())
            if line:
                commands.append(line)
    return commands


def visualize_commands():
    """Every visualize_gmm.py argument string the tests cover (whitespace-normalised)."""
    tested = set(USAGE_RUNS) | set(EXAMPLE_COMMANDS) | set(GALLERY_COMMANDS)
    tested |= set(ANALYSIS_COMMANDS) | set(RESULTS_COMMANDS) | set(ONE_D_COMMANDS)
    tested |= {BIG_DATA_ANIMATE, HALF_STEPS_COMMAND} | set(README_COMMANDS) | set(MORE_COLUMNS_COMMANDS)
    tested |= set(BAYES_COMMANDS) | set(TABLES_COMMANDS)
    return tested | {"--help"}
