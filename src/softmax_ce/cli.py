"""Command line: ``softmax-ce derive ...`` runs the SymPy derivations in a terminal.

The derivations are Jupytext scripts in the ``derivations/`` folder of the source
checkout, not part of the installed package, and they need SymPy. The library never
imports SymPy, so each derivation runs in a subprocess with the current interpreter.
"""

import argparse
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

# Environment variable that overrides where the derivations folder is.
DERIVATIONS_DIR_VARIABLE = "SOFTMAX_CE_DERIVATIONS_DIR"

# Environment variable that the derivations read: "1" prints LaTeX instead of Unicode.
LATEX_VARIABLE = "SOFTMAX_CE_LATEX"

# The site's reading order. Derivation scripts not listed here follow, sorted by name.
READING_ORDER = (
    "softmax_jacobian",
    "shift_invariance_logsumexp",
    "cross_entropy_gradient",
    "hessian_convexity",
    "maximum_likelihood",
    "softmax_properties",
    "label_smoothing_class_weights",
)

_TITLE = re.compile(r"^# # (?P<title>.+?)\s*$", re.MULTILINE)


class DerivationsNotFound(Exception):
    """The derivations folder does not exist where the CLI looked for it."""


def derivations_dir():
    """Return the derivations folder: $SOFTMAX_CE_DERIVATIONS_DIR, or derivations/ in the checkout.

    The package is installed editable from the repository, so the checkout root is two
    levels above this file (src/softmax_ce/cli.py).
    """
    override = os.environ.get(DERIVATIONS_DIR_VARIABLE)
    folder = Path(override) if override else Path(__file__).resolve().parents[2] / "derivations"
    if not folder.is_dir():
        where = f"${DERIVATIONS_DIR_VARIABLE}" if override else "the source checkout"
        raise DerivationsNotFound(
            f"derivations folder not found: {folder} (from {where}). The derivations ship "
            f"with the source repository, not with the installed package: install it with "
            f"`pip install -e .` from a checkout, or set {DERIVATIONS_DIR_VARIABLE} to the folder."
        )
    return folder


def find_derivations(folder):
    """Return {name: path} of the derivation scripts in `folder`, in reading order.

    Files whose name starts with an underscore are helpers, not derivations.
    """
    paths = {path.stem: path for path in folder.glob("*.py") if not path.name.startswith("_")}
    ordered = [name for name in READING_ORDER if name in paths]
    ordered += sorted(name for name in paths if name not in READING_ORDER)
    return {name: paths[name] for name in ordered}


def read_title(path):
    """Return the page title of a derivation: its first '# # Title' markdown line."""
    match = _TITLE.search(path.read_text(encoding="utf-8"))
    return match.group("title") if match else path.stem


# Python ignores SIGPIPE, so a derivation whose reader went away (`| head`) would
# die with a BrokenPipeError traceback. The child restores the default action
# and ends quietly instead, as other command-line tools do.
_SIGPIPE = getattr(signal, "SIGPIPE", None) or 0
_CHILD_BOOTSTRAP = (
    "import runpy, signal, sys\n"
    "if hasattr(signal, 'SIGPIPE'):\n"
    "    signal.signal(signal.SIGPIPE, signal.SIG_DFL)\n"
    "sys.argv = sys.argv[1:]\n"
    "runpy.run_path(sys.argv[0], run_name='__main__')\n"
)


def run_derivation(path, latex):
    """Run one derivation script with this interpreter and return its exit code."""
    env = dict(os.environ)
    if latex:
        env[LATEX_VARIABLE] = "1"
    else:
        env.pop(LATEX_VARIABLE, None)
    # The child runs in the script's folder, which `python -c` puts first on
    # sys.path, so `import _symbolic` works as it does for `python script.py`.
    completed = subprocess.run(
        [sys.executable, "-c", _CHILD_BOOTSTRAP, str(path)],
        env=env,
        cwd=path.parent,
        check=False,
    )
    if completed.returncode == -_SIGPIPE:
        # The reader closed the pipe (`softmax-ce derive NAME | head`): not a failure.
        return 0
    return completed.returncode


def _build_parser():
    parser = argparse.ArgumentParser(
        prog="softmax-ce",
        description=(
            "Run the SymPy derivations of softmax-ce in a terminal. Each derivation "
            "prints its steps and asserts its claim, and a failed claim exits non-zero."
        ),
        epilog=(
            "examples:\n"
            "  softmax-ce derive list                  list the derivations and their titles\n"
            "  softmax-ce derive softmax_jacobian      run one derivation\n"
            "  softmax-ce derive all --latex           run all of them, printing LaTeX"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    derive = commands.add_parser(
        "derive",
        help="list or run the derivations",
        description=(
            "NAME is 'list' (show every derivation with its title), 'all' (run every "
            "derivation in reading order), or the name of one derivation, such as "
            "softmax_jacobian. Derivations are read from derivations/ in the source "
            f"checkout, or from ${DERIVATIONS_DIR_VARIABLE} if it is set."
        ),
    )
    derive.add_argument("name", metavar="NAME", help="'list', 'all' or a derivation name")
    derive.add_argument(
        "--latex",
        action="store_true",
        help="print each equation as LaTeX source instead of Unicode art",
    )
    return parser, derive


def _list(derivations):
    width = max(len(name) for name in derivations)
    for name, path in derivations.items():
        print(f"{name:<{width}}  {read_title(path)}")
    return 0


def _run_all(derivations, latex):
    failed = []
    for number, (name, path) in enumerate(derivations.items(), start=1):
        print(f"\n=== {number}/{len(derivations)} {name}: {read_title(path)} ===", flush=True)
        if run_derivation(path, latex) != 0:
            failed.append(name)
    if failed:
        print(f"\nsoftmax-ce: {len(failed)} derivation(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    print(f"\nAll {len(derivations)} derivations ran and their claims hold.")
    return 0


def main(argv=None):
    """Run the command line with `argv` (default: sys.argv[1:]) and return the exit code."""
    parser, derive = _build_parser()
    args = parser.parse_args(argv)
    name = args.name.removesuffix(".py")

    try:
        derivations = find_derivations(derivations_dir())
    except DerivationsNotFound as error:
        print(f"softmax-ce: {error}", file=sys.stderr)
        return 2
    if not derivations:
        print(f"softmax-ce: no derivation scripts found in {derivations_dir()}", file=sys.stderr)
        return 2

    if name not in ("list", "all", *derivations):
        valid = ", ".join(["list", "all", *derivations])
        derive.error(f"unknown derivation {args.name!r}; valid names: {valid}")
    try:
        if name == "list":
            return _list(derivations)
        if name == "all":
            return _run_all(derivations, args.latex)
        sys.stdout.flush()
        return run_derivation(derivations[name], args.latex)
    except BrokenPipeError:
        # The reader closed the pipe. Point stdout at /dev/null so that the
        # interpreter's final flush does not report the same error again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
