// Exercise solutions on executed pages are code cells tagged "solution" in the
// Jupytext source (`# %% tags=["solution"]`). nbconvert gives such a cell the class
// "celltag_solution". This script moves each run of consecutive solution cells into
// a <details> block that starts closed, so a reader opens a solution on purpose.
// Without JavaScript the solutions simply stay visible.

function collapseSolutions(root) {
  for (const cell of root.querySelectorAll(".jp-Cell.celltag_solution")) {
    // Skip cells already inside a block: later cells of a run, and the inner
    // copy of the class that nbconvert puts on a wrapped cell.
    if (cell.closest("details.solution")) {
      continue;
    }
    const details = document.createElement("details");
    details.className = "success solution";
    const summary = document.createElement("summary");
    summary.textContent = "Solution";
    details.append(summary);
    cell.before(details);

    let next = cell;
    while (next && next.classList.contains("celltag_solution")) {
      const following = next.nextElementSibling;
      details.append(next);
      next = following;
    }
  }
}

// Material's instant navigation replaces the page content without reloading
// scripts; document$ emits once for the first page and again after every switch.
document$.subscribe(() => collapseSolutions(document));
