// MathJax 3 configuration shared by Markdown pages and executed notebook pages.
// pymdownx.arithmatex (generic mode) wraps math in \( \) and \[ \] inside
// elements of class "arithmatex", so only those elements are typeset.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true,
  },
  options: {
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex",
  },
};

// Material's instant navigation swaps the page body without reloading scripts,
// so math on the new page has to be typeset again after every page change.
document$.subscribe(() => {
  if (!window.MathJax || !window.MathJax.startup || !window.MathJax.typesetPromise) {
    return;
  }
  window.MathJax.startup.promise
    .then(() => {
      window.MathJax.startup.output.clearCache();
      window.MathJax.typesetClear();
      window.MathJax.texReset();
      return window.MathJax.typesetPromise();
    })
    .catch((error) => console.error("MathJax typesetting failed:", error));
});
