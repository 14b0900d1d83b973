// MathJax 3 configuration shared by Markdown pages and executed notebook pages.
// pymdownx.arithmatex (generic mode) wraps math in \( \) and \[ \] inside
// elements of class "arithmatex". mkdocs-jupyter emits notebook math the same
// way, so only those elements are typeset.
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

// Material's instant navigation swaps the page content without reloading
// scripts, so math on the new page must be typeset after every page change.
// Math inside notebooks (.jupyter-wrapper) is left to the loader that
// mkdocs-jupyter adds to each page. Typesetting a rendered node a second time
// would nest MathJax's assistive MathML. Chaining on startup.promise keeps the
// two loaders from typesetting at the same time.
//
// Instant navigation also replaces the <head>, which drops the <style> element
// holding MathJax's glyph rules; clearing the output cache makes MathJax write
// a new one, or characters first seen on the new page would not show.
document$.subscribe(() => {
  const math = window.MathJax;
  if (!math || !math.startup || !math.startup.promise) {
    return;
  }
  math.startup.promise = math.startup.promise
    .then(() => {
      const styles = math.startup.output.chtmlStyles;
      if (styles && !styles.isConnected) {
        math.startup.output.clearCache();
      }
      const pending = Array.from(document.querySelectorAll(".arithmatex")).filter(
        (node) => !node.closest(".jupyter-wrapper") && !node.querySelector("mjx-container"),
      );
      if (pending.length === 0) {
        return undefined;
      }
      math.texReset();
      return math.typesetPromise(pending);
    })
    .catch((error) => console.error("MathJax typesetting failed:", error));
});
