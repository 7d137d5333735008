/* policykb's reader script: sorting and filtering for index tables.
 *
 * Enhances every `.kb-sortable table` in place: column headings become sort buttons
 * (with aria-sort on the heading), and a small labelled filter form is added above the
 * table. Without JavaScript the table is a plain, complete table. No libraries, no
 * network: everything works on the rows already in the page.
 *
 * Options on the `.kb-sortable` wrapper: data-kb-noun ("companies"), data-kb-filter-label,
 * data-kb-filter-placeholder, data-kb-filter-columns ("0,1": the columns the text filter
 * searches; default the company/name and domain columns, else the first).
 *
 * Works with Material's instant navigation: when the `document$` observable exists,
 * the tables of every newly loaded page are enhanced.
 */
(function () {
  "use strict";

  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

  function cellText(row, index) {
    var cell = row.cells[index];
    return cell ? cell.textContent.trim() : "";
  }

  /* "1,949" -> 1949; anything else that is not a plain number -> null. */
  function asNumber(text) {
    var plain = text.replace(/[,\u00a0\u202f ]/g, "");
    return /^-?\d+(\.\d+)?$/.test(plain) ? parseFloat(plain) : null;
  }

  function isDate(text) {
    return /^\d{4}-\d{2}-\d{2}/.test(text);
  }

  function columnKind(rows, index) {
    var numbers = 0, dates = 0, filled = 0;
    rows.forEach(function (row) {
      var text = cellText(row, index);
      if (!text) return;
      filled += 1;
      if (isDate(text)) dates += 1;
      else if (asNumber(text) !== null) numbers += 1;
    });
    if (filled && dates === filled) return "date";
    if (filled && numbers === filled) return "number";
    return "text";
  }

  function compareBy(index, kind) {
    return function (a, b) {
      var x = cellText(a, index), y = cellText(b, index);
      if (!x || !y) return x ? -1 : y ? 1 : 0; /* empty cells last */
      if (kind === "number") return asNumber(x) - asNumber(y);
      if (kind === "date") return x < y ? -1 : x > y ? 1 : 0;
      return collator.compare(x, y);
    };
  }

  function headerIndex(headers, pattern) {
    for (var i = 0; i < headers.length; i++) {
      if (pattern.test(headers[i].textContent)) return i;
    }
    return -1;
  }

  var counter = 0;

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function labelled(labelText, control) {
    var id = "kb-filter-" + (++counter);
    control.id = id;
    var wrapper = element("div", { "class": "kb-filter__field" });
    wrapper.appendChild(element("label", { "for": id }, labelText));
    wrapper.appendChild(control);
    return wrapper;
  }

  function yearSelect(years, anyLabel) {
    var select = element("select");
    select.appendChild(element("option", { value: "" }, anyLabel));
    years.forEach(function (year) { select.appendChild(element("option", { value: String(year) }, String(year))); });
    return select;
  }

  function enhance(container) {
    var table = container.querySelector("table");
    if (!table || !table.tHead || !table.tBodies.length || container.hasAttribute("data-kb-enhanced")) return;
    container.setAttribute("data-kb-enhanced", "");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var noun = container.getAttribute("data-kb-noun") || "rows";

    /* Sorting: a button in each heading; aria-sort says the current order. */
    headers.forEach(function (th, index) {
      var kind = columnKind(rows, index);
      var button = element("button", { type: "button", "class": "kb-sort" });
      if (th.querySelector("a, button, input, select")) {
        /* A heading that is a link (compare: topic titles) keeps its link; a link inside a
           button would be unreachable, so the sort button goes beside it, named by the heading. */
        button.className = "kb-sort kb-sort--beside";
        button.appendChild(element("span", { "class": "kb-visually-hidden" }, "Sort by " + th.textContent.trim()));
        th.classList.add("kb-sortable__linked");
      } else {
        while (th.firstChild) button.appendChild(th.firstChild);
      }
      button.appendChild(element("span", { "class": "kb-sort__icon", "aria-hidden": "true" }));
      th.appendChild(button);
      th.setAttribute("data-kb-kind", kind);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var compare = compareBy(index, kind);
        var sorted = rows.slice().sort(function (a, b) {
          var order = compare(a, b);
          return ascending ? order : -order;
        });
        sorted.forEach(function (row) { body.appendChild(row); });
      });
    });

    /* Filtering: name/domain text, sector, and the years a company was archived. */
    var nameColumns = [headerIndex(headers, /company|name/i), headerIndex(headers, /domain/i)]
      .filter(function (i) { return i >= 0; });
    var chosenColumns = container.getAttribute("data-kb-filter-columns");
    if (chosenColumns) {
      nameColumns = chosenColumns.split(",").map(function (i) { return parseInt(i, 10); })
        .filter(function (i) { return i >= 0 && i < headers.length; });
    }
    if (!nameColumns.length) nameColumns = [0]; /* the first column names the row */
    var sectorColumn = headerIndex(headers, /sector/i);
    var firstColumn = headerIndex(headers, /first/i);
    var lastColumn = headerIndex(headers, /last/i);

    var form = element("form", { "class": "kb-filter", role: "search", "aria-label": "Filter the " + noun });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    var text = element("input", { type: "search", autocomplete: "off",
      placeholder: container.getAttribute("data-kb-filter-placeholder") || "Name or domain" });
    form.appendChild(labelled(container.getAttribute("data-kb-filter-label") || "Filter by name", text));

    var sector = null;
    if (sectorColumn >= 0) {
      var sectors = [];
      rows.forEach(function (row) {
        var value = cellText(row, sectorColumn);
        if (value && sectors.indexOf(value) < 0) sectors.push(value);
      });
      if (sectors.length) {
        sector = element("select");
        sector.appendChild(element("option", { value: "" }, "All sectors"));
        sectors.sort(collator.compare).forEach(function (value) {
          sector.appendChild(element("option", { value: value }, value));
        });
        form.appendChild(labelled("Sector", sector));
      }
    }

    var from = null, to = null;
    if (firstColumn >= 0 && lastColumn >= 0) {
      var years = [];
      rows.forEach(function (row) {
        [firstColumn, lastColumn].forEach(function (index) {
          var year = parseInt(cellText(row, index).slice(0, 4), 10);
          if (!isNaN(year) && years.indexOf(year) < 0) years.push(year);
        });
      });
      years.sort(function (a, b) { return a - b; });
      if (years.length > 1) {
        var low = years[0], high = years[years.length - 1], all = [];
        for (var y = low; y <= high; y++) all.push(y);
        from = yearSelect(all, "any year");
        to = yearSelect(all, "any year");
        form.appendChild(labelled("Archived from", from));
        form.appendChild(labelled("until", to));
      }
    }

    var status = element("p", { "class": "kb-filter__status", role: "status", "aria-live": "polite" });
    var empty = element("p", { "class": "kb-filter__empty", hidden: "" }, "No " + noun + " match these filters.");

    function apply() {
      var needle = text.value.trim().toLowerCase();
      var wanted = sector ? sector.value : "";
      var since = from && from.value ? parseInt(from.value, 10) : null;
      var until = to && to.value ? parseInt(to.value, 10) : null;
      var shown = 0;
      rows.forEach(function (row) {
        var visible = true;
        if (needle) {
          visible = nameColumns.some(function (i) { return cellText(row, i).toLowerCase().indexOf(needle) >= 0; });
        }
        if (visible && wanted) visible = cellText(row, sectorColumn) === wanted;
        if (visible && (since !== null || until !== null)) {
          /* archived at some time in [since, until]: the company's years overlap the range */
          var first = parseInt(cellText(row, firstColumn).slice(0, 4), 10);
          var last = parseInt(cellText(row, lastColumn).slice(0, 4), 10);
          if (since !== null && last < since) visible = false;
          if (until !== null && first > until) visible = false;
        }
        row.hidden = !visible;
        if (visible) shown += 1;
      });
      status.textContent = "Showing " + shown + " of " + rows.length + " " + noun + ".";
      empty.hidden = shown !== 0;
    }

    [text, sector, from, to].forEach(function (control) {
      if (control) control.addEventListener(control.tagName === "SELECT" ? "change" : "input", apply);
    });
    form.appendChild(status);
    container.parentNode.insertBefore(form, container);
    container.appendChild(empty);
    apply();
  }

  /* A table wider than a phone scrolls sideways inside Material's wrapper; a keyboard user can
     scroll it only if the wrapper (or something in it) takes focus. Tables with links already do;
     the others (chart data, numbers) get a focusable, named region. */
  function focusableScrollers() {
    Array.prototype.forEach.call(document.querySelectorAll(".md-typeset__scrollwrap"), function (wrap) {
      if (wrap.hasAttribute("tabindex") || wrap.scrollWidth <= wrap.clientWidth + 1) return;
      if (wrap.querySelector("a[href], button, input, select, textarea, summary, [tabindex]")) return;
      var heading = null;
      for (var node = wrap.previousElementSibling; node && !heading; node = node.previousElementSibling) {
        if (/^H[1-6]$/.test(node.tagName)) heading = node;
      }
      var name = heading ? heading.textContent.replace(/\u00b6/g, "").trim() : "";
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", name ? "Table: " + name + " (scrolls sideways)" : "Table (scrolls sideways)");
    });
  }

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(focusableScrollers, 200);
  });

  function enhanceAll() {
    Array.prototype.forEach.call(document.querySelectorAll(".kb-sortable"), enhance);
    focusableScrollers();
  }

  if (typeof window.document$ !== "undefined" && window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(enhanceAll);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhanceAll);
  } else {
    enhanceAll();
  }
})();
