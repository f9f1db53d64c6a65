// The RACI matrix as an ARIA data grid (WAI-ARIA Authoring Practices): one Tab stop
// into the table, arrow keys (and Home/End, Ctrl+Home/End) move between cells with a
// roving tabindex, Enter opens a cell's editor, R A C I B set a letter, Delete clears.
// htmx does the requests; this only moves the focus and turns a key press into the
// same POST a click would send. Without JavaScript every link stays a plain Tab stop.
(function () {
  "use strict";
  const KEYS = { r: "R", a: "A", c: "C", i: "I", b: "AR" };
  const FOCUSABLE = "a[href], button, summary, input, select, textarea, [tabindex]";
  let current = null; // id of the cell holding the Tab stop, kept across swaps

  function table() { return document.getElementById("matrix"); }

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"]; }
    catch (error) { return ""; }
  }

  // Every row of the grid (header row included) as a list of its cells.
  function grid() {
    const t = table();
    if (!t) return [];
    return Array.prototype.map.call(t.rows, function (tr) { return Array.prototype.slice.call(tr.cells); });
  }

  // The element of a cell that takes the focus: its link or flag, else the cell itself.
  function focusTarget(cell) {
    if (cell.classList.contains("editing")) {
      return cell.querySelector(".cell-editor button.current") || cell.querySelector(".cell-editor button");
    }
    return cell.querySelector("a.cell-button, a[href], summary") || cell;
  }

  function cellOf(element) { return element.closest && element.closest("#matrix th, #matrix td"); }

  // Exactly one element of the grid is in the Tab order: the current cell's target.
  function rove(cell) {
    const t = table();
    if (!t) return;
    t.querySelectorAll(FOCUSABLE).forEach(function (element) {
      if (!element.closest(".cell-editor, .cell-warning")) element.setAttribute("tabindex", "-1");
    });
    t.querySelectorAll("th, td").forEach(function (c) { c.removeAttribute("tabindex"); });
    if (!cell || !t.contains(cell)) {
      cell = (current && document.getElementById(current)) || t.querySelector("tbody td.cell") || t.querySelector("tbody th");
    }
    if (!cell) return;
    if (!cell.id) cell.id = "matrix-cell-" + Math.random().toString(36).slice(2);
    current = cell.id;
    const target = focusTarget(cell);
    target.setAttribute("tabindex", "0");
    return target;
  }

  function focusCell(cell) {
    const target = rove(cell);
    if (target) target.focus();
  }

  function position(cell) {
    const rows = grid();
    for (let r = 0; r < rows.length; r++) {
      const c = rows[r].indexOf(cell);
      if (c !== -1) return { row: r, col: c, rows: rows };
    }
    return null;
  }

  function setLetter(link, letter) {
    const td = link.closest("td");
    htmx.ajax("POST", link.pathname, {
      target: td,
      swap: "outerHTML",
      headers: { "X-CSRFToken": csrfToken() },
      values: { letter: letter, version: link.dataset.version || "0", scope: table().dataset.scope },
    });
  }

  document.addEventListener("keydown", function (event) {
    const cell = cellOf(event.target);
    if (!cell || event.altKey || event.metaKey) return;
    if (event.key === "Escape" && cell.classList.contains("editing")) {
      const cancel = cell.querySelector("button.cancel");
      if (cancel) { event.preventDefault(); cancel.click(); }
      return;
    }
    // Inside an open editor, arrows move between its buttons, not between cells.
    if (cell.classList.contains("editing") && (event.key === "ArrowLeft" || event.key === "ArrowRight")) {
      const buttons = Array.prototype.slice.call(cell.querySelectorAll(".cell-editor button"));
      const index = buttons.indexOf(event.target);
      const next = buttons[index + (event.key === "ArrowLeft" ? -1 : 1)];
      if (next) { event.preventDefault(); next.focus(); }
      return;
    }
    const pos = position(cell);
    if (!pos) return;
    const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    let target = null;
    if (moves[event.key] && !event.ctrlKey) {
      const row = pos.rows[pos.row + moves[event.key][0]];
      target = row && row[Math.min(pos.col + moves[event.key][1], row.length - 1)];
      if (pos.col + moves[event.key][1] < 0) target = null;
    } else if (event.key === "Home") {
      target = event.ctrlKey ? pos.rows[0][0] : pos.rows[pos.row][0];
    } else if (event.key === "End") {
      const last = event.ctrlKey ? pos.rows[pos.rows.length - 1] : pos.rows[pos.row];
      target = last[last.length - 1];
    }
    if (target) { event.preventDefault(); focusCell(target); return; }
    if (event.ctrlKey) return;
    const link = cell.querySelector("a.cell-button");
    if (!link || event.target !== link) return;
    const letter = KEYS[event.key.toLowerCase()];
    if (letter) { event.preventDefault(); setLetter(link, letter); return; }
    if (event.key === "Delete" || event.key === "Backspace") { event.preventDefault(); setLetter(link, ""); }
  });

  // A click or focus anywhere in the grid makes that cell the Tab stop.
  document.addEventListener("focusin", function (event) {
    const cell = cellOf(event.target);
    if (cell && current !== cell.id) rove(cell);
  });

  // A click on a cell's link opens its editor in place (htmx) instead of the cell's own
  // page, which stays the link's target without JavaScript or with a modifier key.
  // Delegated here so that each of a page's thousands of cells carries only its link.
  document.addEventListener("click", function (event) {
    const link = event.target.closest && event.target.closest("#matrix a.cell-button");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    if (typeof htmx === "undefined") return;
    event.preventDefault();
    const url = link.pathname + "?" + new URLSearchParams({ scope: table().dataset.scope });
    htmx.ajax("GET", url, { target: link.closest("td"), swap: "outerHTML" });
  });

  // A refused edit's warning beside the cell: its × closes it.
  document.addEventListener("click", function (event) {
    const close = event.target.closest && event.target.closest(".cell-warning-close");
    if (!close) return;
    const cell = cellOf(close);
    close.parentElement.remove();
    if (cell) focusCell(cell);
  });

  // After a swap, keep the keyboard where it was: on the cell just edited (or its editor),
  // and keep a single Tab stop (the swapped row flags bring new focusable summaries).
  function keepFocus(event) {
    const swapped = event.detail.target;
    if (!table()) return;
    if (swapped && swapped.id && swapped.id.startsWith("cell-")) {
      const td = document.getElementById(swapped.id);
      if (td) {
        current = td.id;
        focusCell(td);
        return;
      }
    }
    rove(null);
  }
  // Both: after the swap, so that a key pressed before settling does not land on the
  // removed cell; after settling, because settling can take the focus away again.
  document.addEventListener("htmx:afterSwap", keepFocus);
  document.addEventListener("htmx:afterSettle", keepFocus);

  function init() {
    const t = table();
    if (!t) return;
    let start = null;
    // A link to a cell (#cell-12-34, from the findings page) puts the focus on it.
    if (location.hash.startsWith("#cell-")) {
      start = document.getElementById(location.hash.slice(1));
      if (start) start.classList.add("target");
    }
    const target = rove(start);
    if (start && target) target.focus();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
