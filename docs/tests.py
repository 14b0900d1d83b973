# %% [markdown]
# # How each result is tested
#
# Every derivation asserts its own claim symbolically while this site builds. The
# test suite then checks each result a second way, numerically. The final formula
# of each derivation is turned into a NumPy function with `lambdify`. The tests
# compare it with the `softmax_ce` library on random logits and with central finite
# differences. Where one exists, they also compare it with an independent reference:
# SciPy, mpmath, scikit-learn, or outputs recorded from PyTorch. Run them all with
# `make test`.
#
# This page is read from the `tests/` folder when the site builds, so the lists
# below are the tests as they are now. Each section names the test file, what it
# checks, and every test in it; the file's source is one click away.

# %%
import ast
import html
from pathlib import Path

from IPython.display import HTML, display

# The kernel runs in docs/, so the tests are one folder up.
TESTS = Path("..", "tests")
DERIVATIONS = Path("..", "derivations")


def list_test_functions(module: ast.Module) -> list[tuple[str, str]]:
    """List (name, first docstring line) for each test function of a module."""
    found = []
    for node in module.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
            doc = ast.get_docstring(node) or ""
            found.append((node.name, doc.splitlines()[0] if doc else ""))
    return found


def describe(test_file: Path, anchor: str, derivation: str | None = None) -> HTML:
    """Render one test file as a section: heading, summary, test list, source."""
    source = test_file.read_text(encoding="utf-8")
    module = ast.parse(source)
    summary = ast.get_docstring(module) or ""
    tests = list_test_functions(module)
    assert tests, f"{test_file} defines no test function"

    parts = [f'<h2 id="{anchor}"><code>tests/{test_file.name}</code></h2>']
    if derivation is not None:
        parts.append(
            f'<p>Checks the derivation <a href="../derivations/{derivation}/">'
            f"{html.escape(derivation)}</a>.</p>"
        )
    parts.append(f"<p>{html.escape(summary)}</p>")
    parts.append("<ul>")
    for name, doc in tests:
        line = f"<code>{name}</code>" + (f": {html.escape(doc)}" if doc else "")
        parts.append(f"<li>{line}</li>")
    parts.append("</ul>")
    parts.append(
        f"<details><summary>Source of <code>tests/{test_file.name}</code></summary>"
        f"<pre><code>{html.escape(source)}</code></pre></details>"
    )
    return HTML("\n".join(parts))


# %% [markdown]
# ## The derivations
#
# Each derivation page links to its section here. Two test files cover all of them
# at once. `tests/test_derivations_scripts.py` runs every script standalone, as a
# reader would in a terminal. It also edits a copy of several scripts with a false
# claim and checks that the script then fails. `tests/test_site_build.py` shows that
# a derivation that raises fails the site build.

# %%
derivation_names = sorted(
    path.stem for path in DERIVATIONS.glob("*.py") if not path.name.startswith("_")
)
for name in derivation_names:
    test_file = TESTS / f"test_derivations_{name}.py"
    assert test_file.is_file(), f"the derivation {name} has no test file {test_file}"
    display(describe(test_file, anchor=name, derivation=name))

display(describe(TESTS / "test_derivations_scripts.py", anchor="scripts"))

# %% [markdown]
# ## The library, the site and the command line

# %%
shown = {f"test_derivations_{name}.py" for name in derivation_names}
shown.add("test_derivations_scripts.py")
for test_file in sorted(TESTS.glob("test_*.py")):
    if test_file.name not in shown:
        display(describe(test_file, anchor=test_file.stem))
