// Small behaviours every page shares; htmx does the requests.
//
// 1. Comboboxes (WAI-ARIA APG "list autocomplete"): an <input role="combobox"
//    data-combobox aria-controls="panel"> whose panel htmx fills with a
//    <ul role="listbox"> of <li role="option" data-href>. Arrow keys move the active
//    option (aria-activedescendant, the focus stays in the input), Enter opens it,
//    Escape closes the list. Without JavaScript the form around the input submits.
// 2. Downloads that take a while (data-busy-download): the link shows that the file
//    is being prepared until it has arrived.
(function () {
  "use strict";

  function panelOf(input) { return document.getElementById(input.getAttribute("aria-controls")); }
  function optionsOf(input) {
    const panel = panelOf(input);
    return panel ? Array.prototype.slice.call(panel.querySelectorAll("[role=option]")) : [];
  }

  function setActive(input, option) {
    optionsOf(input).forEach(function (o) {
      o.setAttribute("aria-selected", o === option ? "true" : "false");
      o.classList.toggle("active", o === option);
    });
    if (option) {
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function sync(input) {
    const panel = panelOf(input);
    const open = !!(panel && panel.querySelector("[role=listbox], .combobox-note"));
    input.setAttribute("aria-expanded", open && optionsOf(input).length ? "true" : "false");
    if (!open || !input.getAttribute("aria-activedescendant") ||
        !document.getElementById(input.getAttribute("aria-activedescendant"))) {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function close(input) {
    const panel = panelOf(input);
    if (panel) panel.innerHTML = "";
    setActive(input, null);
    input.setAttribute("aria-expanded", "false");
  }

  function choose(option) {
    if (option && option.dataset.href) window.location.assign(option.dataset.href);
  }

  document.addEventListener("keydown", function (event) {
    const input = event.target;
    if (!input.matches || !input.matches("[data-combobox]")) return;
    const options = optionsOf(input);
    const active = document.getElementById(input.getAttribute("aria-activedescendant") || "");
    const index = options.indexOf(active);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!options.length) return;
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      const next = index === -1 ? (step > 0 ? 0 : options.length - 1) : (index + step + options.length) % options.length;
      setActive(input, options[next]);
      input.setAttribute("aria-expanded", "true");
    } else if (event.key === "Enter" && active) {
      event.preventDefault();
      choose(active);
    } else if (event.key === "Escape") {
      if (options.length) { event.preventDefault(); close(input); }
    }
  });

  // A pointer picks an option; mousedown so the input does not lose its list first.
  document.addEventListener("mousedown", function (event) {
    const option = event.target.closest && event.target.closest("[role=listbox] [role=option]");
    if (!option) return;
    event.preventDefault();
    choose(option);
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    document.querySelectorAll("[data-combobox]").forEach(function (input) {
      if (panelOf(input) === event.detail.target) sync(input);
    });
  });

  // Leaving the combobox (Tab, a click elsewhere) closes its list.
  document.addEventListener("focusout", function (event) {
    const input = event.target;
    if (!input.matches || !input.matches("[data-combobox]")) return;
    setTimeout(function () {
      const box = input.closest(".combobox");
      if (box && !box.contains(document.activeElement)) close(input);
    }, 150);
  });

  // Slow downloads (a role description PDF takes a few seconds): say so until it arrives.
  document.addEventListener("click", function (event) {
    const link = event.target.closest && event.target.closest("a[data-busy-download]");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || !window.fetch) return;
    event.preventDefault();
    if (link.getAttribute("aria-busy") === "true") return;
    const status = document.getElementById(link.dataset.busyDownload);
    link.setAttribute("aria-busy", "true");
    if (status) status.textContent = status.dataset.working;
    fetch(link.href, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        const disposition = response.headers.get("Content-Disposition") || "";
        const match = /filename="?([^";]+)"?/.exec(disposition);
        return response.blob().then(function (blob) { return { blob: blob, name: match ? match[1] : "" }; });
      })
      .then(function (file) {
        const url = URL.createObjectURL(file.blob);
        const save = document.createElement("a");
        save.href = url;
        save.download = file.name || link.getAttribute("download") || "";
        document.body.appendChild(save);
        save.click();
        save.remove();
        setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
        if (status) status.textContent = status.dataset.done;
      })
      .catch(function () {
        if (status) status.textContent = status.dataset.failed;
        else window.location.assign(link.href);
      })
      .finally(function () { link.removeAttribute("aria-busy"); });
  });
})();
