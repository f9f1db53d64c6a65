// The org chart (templates/responsibilities/pictures/orgchart.html): open and close a
// department (its branch loaded once, with htmx), zoom with the buttons or Ctrl + wheel
// (a CSS transform), and focus the search match the server opened the path to.
// Without JavaScript each department's toggle is a link to the chart with it open.
(function () {
  "use strict";

  const viewport = document.querySelector("[data-org-viewport]");
  if (!viewport) return;
  const chart = viewport.querySelector("[data-org-chart]");
  const level = document.querySelector("[data-zoom-level]");
  const MIN = 0.4, MAX = 2;
  let scale = 1;

  function setScale(value) {
    scale = Math.min(MAX, Math.max(MIN, Math.round(value * 10) / 10));
    // Laid out at 1/scale of the width, then scaled: the chart always fills the viewport.
    chart.style.transform = scale === 1 ? "" : "scale(" + scale + ")";
    chart.style.width = scale === 1 ? "" : (100 / scale) + "%";
    if (level) level.textContent = Math.round(scale * 100) + "%";
    viewport.dataset.scale = String(scale);
  }

  document.querySelectorAll("[data-zoom]").forEach(function (button) {
    button.addEventListener("click", function () {
      const how = button.dataset.zoom;
      setScale(how === "in" ? scale + 0.1 : how === "out" ? scale - 0.1 : 1);
    });
  });

  viewport.addEventListener("wheel", function (event) {
    if (!event.ctrlKey) return; // plain wheel scrolls as usual
    event.preventDefault();
    setScale(scale + (event.deltaY < 0 ? 0.1 : -0.1));
  }, { passive: false });

  function expand(toggle, panel) {
    panel.hidden = false;
    toggle.setAttribute("aria-expanded", "true");
  }

  function toggleBranch(toggle) {
    const panel = document.getElementById(toggle.getAttribute("aria-controls"));
    if (!panel) return;
    if (toggle.getAttribute("aria-expanded") === "true") {
      panel.hidden = true;
      toggle.setAttribute("aria-expanded", "false");
      return;
    }
    if (panel.dataset.loaded || panel.children.length) {
      expand(toggle, panel);
      return;
    }
    toggle.setAttribute("aria-busy", "true");
    window.htmx.ajax("GET", toggle.dataset.url, { target: panel, swap: "innerHTML" }).then(function () {
      toggle.removeAttribute("aria-busy");
      panel.dataset.loaded = "1";
      expand(toggle, panel);
    });
  }

  viewport.addEventListener("click", function (event) {
    const toggle = event.target.closest("[data-org-toggle]");
    if (!toggle || !window.htmx) return;
    event.preventDefault();
    toggleBranch(toggle);
  });
  // A link that acts as a button answers the space bar too.
  viewport.addEventListener("keydown", function (event) {
    const toggle = event.target.closest("[data-org-toggle]");
    if (toggle && event.key === " ") {
      event.preventDefault();
      toggle.click();
    }
  });

  const focusId = viewport.dataset.focus;
  const target = focusId && document.getElementById(focusId);
  if (target) {
    target.scrollIntoView({ block: "center" });
    target.focus({ preventScroll: true });
  }
})();
