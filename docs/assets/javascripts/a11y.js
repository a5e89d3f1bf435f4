// Accessibility fixes to the theme's runtime markup (checked by tests/browser/test_browser_a11y.py).
//
// - The "Copied to clipboard" confirmation appears in Material's dialog; making the dialog a
//   polite live region has screen readers announce it.
// - A table wider than the page scrolls inside its wrapper: a wrapper that scrolls gets a
//   tab stop and a name (the table's caption), so keyboard users can scroll it too.
(() => {
  const label = (wrap) => {
    const caption = wrap.querySelector("caption");
    return caption ? caption.textContent.trim() : "Table";
  };
  const update = () => {
    const dialog = document.querySelector(".md-dialog");
    if (dialog && !dialog.hasAttribute("aria-live")) {
      dialog.setAttribute("role", "status");
      dialog.setAttribute("aria-live", "polite");
      dialog.setAttribute("aria-atomic", "true");
    }
    for (const wrap of document.querySelectorAll(".md-typeset__scrollwrap, .md-typeset .lab-graph")) {
      const scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      const named = wrap.hasAttribute("role");  // the lab graph is a named image already
      if (scrolls && !wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("tabindex", "0");
        if (!named) {
          wrap.setAttribute("role", "region");
          wrap.setAttribute("aria-label", `${label(wrap)} (scrolls sideways)`);
          wrap.dataset.deepdiveRegion = "";
        }
      } else if (!scrolls && wrap.getAttribute("tabindex") === "0") {
        wrap.removeAttribute("tabindex");
        if ("deepdiveRegion" in wrap.dataset) {
          wrap.removeAttribute("role");
          wrap.removeAttribute("aria-label");
          delete wrap.dataset.deepdiveRegion;
        }
      }
    }
  };
  if (typeof window.document$ !== "undefined") {
    window.document$.subscribe(() => requestAnimationFrame(update));
  }
  update();
  window.addEventListener("load", update);
  let pending = 0;
  window.addEventListener("resize", () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(update);
  });
})();
