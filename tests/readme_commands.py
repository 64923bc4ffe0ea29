"""The commands the README shows, in one place.

Each test file runs its own section's commands verbatim; test_cli and
test_data_gen check that every command in README.md is one of these (so the
README cannot show a command no test runs).
"""

#: the original issue's commands (README "Usage"); test_cli runs each with
#: every form of saving in SAVE_FORMS
ISSUE_COMMANDS = [
    "-k 5 -m 5",
    "-k 5 -m 5 --hide_covs --hide_real",
    "-k 20 --load_path examples/circles.npy --print_ll -i 100 --fps 15",
]
SAVE_FORMS = ["", "--save out.gif", "-s out.gif", "--save out.mp4", "--save out.html",
              "--save out.png"]

#: the commands that made the README's GIFs examples/demo.gif and examples/circles.gif
EXAMPLE_COMMANDS = [
    "-k 5 -m 5 --seed 32 --save examples/demo.gif",
    "-k 20 --load_path examples/circles.npy -i 100 --fps 15 --seed 0 --save examples/circles.gif",
]

#: the commands that made examples/gallery/ (teaching views); test_views runs
#: them verbatim in a scratch directory
GALLERY_OPTIONS = ("-k 4 -m 4 -N 400 --max_radius 5 --seed 4 --init random_from_data "
                   "--tol 1e-4 -i 20")
GALLERY_COMMANDS = [
    f"{GALLERY_OPTIONS} --ll-panel --save examples/gallery/ll_panel.gif",
    f"{GALLERY_OPTIONS} --soft --save examples/gallery/soft.gif",
    f"{GALLERY_OPTIONS} --compare kmeans --save examples/gallery/compare_kmeans.gif",
    f"{GALLERY_OPTIONS} --contours --save examples/gallery/contours.gif",
    f"{GALLERY_OPTIONS} --ll-panel --soft --compare kmeans --contours "
    "--save examples/gallery/all_views.png",
]

#: the analysis commands (the first two made examples/choosing_k.png and
#: examples/iris.gif); test_analysis runs them verbatim in a scratch copy of examples/
ANALYSIS_COMMANDS = [
    "-m 4 -N 800 --select-k 1:8 --n-init 3 --seed 2 --save examples/choosing_k.png",
    "-k 3 --load_path examples/iris.csv --seed 0 --save examples/iris.gif",
    "--load_path examples/iris.csv --select-k 1:6 --n-init 5 --seed 1 --save iris_k.png",
    "-k 3 --load_path examples/iris.csv --dims 2 3 --covariance-type diag --save petals.png",
    "-k 3 --load_path examples/iris.csv --seed 0 --save-params fit.npz --save iris.png",
    "--load_path examples/iris.csv --init-params fit.npz -i 0 --save start.png",
]

#: data_gen.py's commands that made the example data files (name -> arguments);
#: test_data_gen re-runs them and compares with the committed files
DATA_COMMANDS = {
    "circles": "circles -N 1000 --noise 0.1 --seed 0 -o examples/circles.npy",
    "spirals": "spirals -N 1000 --noise 0.1 --seed 0 -o examples/spirals.npy",
    "moons": "moons -N 1000 --noise 0.1 --seed 0 -o examples/moons.npy",
}


def visualize_commands():
    """Every visualize_gmm.py argument string the tests cover (whitespace-normalised)."""
    tested = {" ".join(f"{c} {s}".split()) for c in ISSUE_COMMANDS for s in SAVE_FORMS}
    tested |= set(EXAMPLE_COMMANDS) | set(GALLERY_COMMANDS) | set(ANALYSIS_COMMANDS)
    return tested | {"--help"}
