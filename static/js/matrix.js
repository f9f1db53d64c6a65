// Keyboard editing of the RACI matrix. htmx does the requests; this only moves the
// focus between cells and turns a key press into the same POST a click would send.
(function () {
  "use strict";
  const KEYS = { r: "R", a: "A", c: "C", i: "I", b: "AR" };

  function table() { return document.getElementById("matrix"); }

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"]; }
    catch (error) { return ""; }
  }

  function cellAt(row, col) {
    const t = table();
    if (!t) return null;
    const tr = t.tBodies[0].rows[row];
    if (!tr) return null;
    const cells = tr.querySelectorAll("td.cell");
    return cells[col] || null;
  }

  function position(td) {
    const tr = td.parentElement;
    const row = Array.prototype.indexOf.call(tr.parentElement.rows, tr);
    const col = Array.prototype.indexOf.call(tr.querySelectorAll("td.cell"), td);
    return { row: row, col: col };
  }

  function focusCell(td) {
    if (!td) return;
    const target = td.querySelector(".cell-button, .cell-value, button");
    if (target) {
      if (!target.hasAttribute("tabindex") && target.tagName === "SPAN") target.setAttribute("tabindex", "-1");
      target.focus();
    }
  }

  function setLetter(link, letter) {
    const td = link.closest("td");
    htmx.ajax("POST", link.dataset.setUrl, {
      target: td,
      swap: "outerHTML",
      headers: { "X-CSRFToken": csrfToken() },
      values: { letter: letter, version: link.dataset.version || "0", scope: table().dataset.scope },
    });
  }

  document.addEventListener("keydown", function (event) {
    const td = event.target.closest && event.target.closest("#matrix td.cell");
    if (!td || event.ctrlKey || event.metaKey || event.altKey) return;
    const pos = position(td);
    const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    if (moves[event.key]) {
      const next = cellAt(pos.row + moves[event.key][0], pos.col + moves[event.key][1]);
      if (next) { event.preventDefault(); focusCell(next); }
      return;
    }
    if (event.key === "Escape" && td.classList.contains("editing")) {
      const cancel = td.querySelector("button.cancel");
      if (cancel) { event.preventDefault(); cancel.click(); }
      return;
    }
    const link = td.querySelector("a.cell-button");
    if (!link) return;
    const letter = KEYS[event.key.toLowerCase()];
    if (letter) { event.preventDefault(); setLetter(link, letter); return; }
    if (event.key === "Delete" || event.key === "Backspace") { event.preventDefault(); setLetter(link, ""); }
  });

  // After a swap, keep the keyboard where it was: on the cell just edited.
  document.addEventListener("htmx:afterSwap", function (event) {
    const swapped = event.detail.target;
    if (!swapped || !swapped.id || !swapped.id.startsWith("cell-")) return;
    const td = document.getElementById(swapped.id);
    if (!td) return;
    const editorButton = td.querySelector(".cell-editor button.current, .cell-editor button");
    (editorButton || td.querySelector(".cell-button") || td).focus();
  });

  // A link to a cell (#cell-12-34, from the findings page) puts the focus on it.
  document.addEventListener("DOMContentLoaded", function () {
    if (location.hash.startsWith("#cell-")) {
      const td = document.getElementById(location.hash.slice(1));
      if (td) { td.classList.add("target"); focusCell(td); }
    }
  });
})();
