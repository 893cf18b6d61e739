// In-page explorers (coursekit.explorers): each block with class "coursekit-explorer" carries a Vega
// specification (compiled at build time from a Vega-Lite chart written in Python with Altair) and a short
// description of its data table and summary line. This script embeds the chart with the vendored Vega
// bundle (_static/vega-bundle.js, loaded once per site), places the chart's controls (native, labelled
// inputs made by Vega from the bound parameters) above it, and after every control change re-writes the
// summary line and the data table from the chart's own data. Nothing is fetched: the data are in the spec.
//
// For tests and benchmarks, window.coursekitExplorers[id] exposes {view, updates, lastUpdateMs, ready,
// dataOf(viewName)}: the Vega view, how many times the summary and table were re-written, how long the last
// control change took (from the control's event to the re-written table), and the data a named view draws.
(function () {
  "use strict";
  var registry = (window.coursekitExplorers = window.coursekitExplorers || {});

  function format(value, digits) {
    if (value === null || value === undefined || (typeof value === "number" && isNaN(value))) {
      return "–";
    }
    if (typeof digits === "number" && typeof value === "number") {
      return value.toFixed(digits);
    }
    return String(value);
  }

  function fill(template, row, rows) {
    return template.replace(/\{(\w+)(?::\.(\d+)f)?\}/g, function (_, name, digits) {
      var value = name === "_rows" ? rows : row ? row[name] : undefined;
      return format(value, digits === undefined ? undefined : Number(digits));
    });
  }

  function renderTable(container, rows, columns, caption) {
    var table = document.createElement("table");
    table.className = "coursekit-explorer-datatable";
    var cap = document.createElement("caption");
    cap.textContent = caption + " (" + rows.length + (rows.length === 1 ? " row)" : " rows)");
    table.appendChild(cap);
    var head = table.createTHead().insertRow();
    columns.forEach(function (c) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = c.header;
      head.appendChild(th);
    });
    var body = table.createTBody();
    rows.forEach(function (row) {
      var tr = body.insertRow();
      columns.forEach(function (c) {
        var td = tr.insertCell();
        td.textContent = format(row[c.field], c.digits);
        td.setAttribute("data-field", c.field);
      });
    });
    container.replaceChildren(table);
  }

  function missing(v) {
    return v === null || v === undefined || (typeof v === "number" && isNaN(v));
  }

  function sortRows(rows, order) {
    if (!order || !order.length) return rows.slice();
    return rows.slice().sort(function (a, b) {
      for (var i = 0; i < order.length; i++) {
        var f = order[i][0], sign = order[i][1] === "desc" ? -1 : 1;
        var x = a[f], y = b[f];
        if (missing(x) || missing(y)) {
          if (missing(x) && missing(y)) continue;
          return missing(x) ? 1 : -1;
        }
        if (typeof x === "number" && typeof y === "number" && Math.abs(x - y) < 1e-9) continue;
        if (x < y) return -sign;
        if (x > y) return sign;
      }
      return 0;
    });
  }

  function matches(row, where) {
    return Object.keys(where || {}).every(function (k) { return row[k] === where[k]; });
  }

  function markData(spec, view) {
    // The dataset a Vega-Lite view called `view` draws: the compiled mark "<view>_marks".
    var found = null;
    (function walk(marks) {
      (marks || []).forEach(function (m) {
        if (found) return;
        // Vega-Lite names the mark "<view>_marks" ("<view>_<n>_marks" inside a layer).
        var named = m.name === view + "_marks" || new RegExp("^" + view + "_\\d+_marks$").test(m.name || "");
        if (named && m.from && m.from.data) found = m.from.data;
        walk(m.marks);
      });
    })(spec.marks);
    if (!found) throw new Error("no view named " + view + " in the chart");
    return found;
  }

  function boundSignals(spec) {
    return (spec.signals || []).filter(function (s) { return s.bind; }).map(function (s) { return s.name; });
  }

  function tidyControls(controls, ident) {
    // Vega labels each input by wrapping it in a <label>; give each a stable id and name it for tests.
    controls.querySelectorAll("input, select").forEach(function (input, i) {
      if (!input.id) input.id = ident + "-control-" + i;
    });
    // The live number next to a slider repeats the slider's value: hide it from screen readers.
    controls.querySelectorAll(".vega-bind label > span:not(.vega-bind-name)").forEach(function (span) {
      span.setAttribute("aria-hidden", "true");
    });
  }

  function setUp(block) {
    var ident = block.getAttribute("data-explorer");
    var spec = JSON.parse(block.querySelector("script.coursekit-explorer-spec").textContent);
    var meta = JSON.parse(block.querySelector("script.coursekit-explorer-meta").textContent);
    var chart = block.querySelector(".coursekit-explorer-chart");
    var controls = block.querySelector(".coursekit-explorer-controls");
    var summary = block.querySelector(".coursekit-explorer-summary");
    var tableBox = block.querySelector(".coursekit-explorer-table");
    var caption = block.querySelector(".coursekit-explorer-data > summary").textContent
      .replace(/\s*\(data table\)\s*$/, "");
    var tableData = markData(spec, meta.table.view);
    var summaryData = markData(spec, meta.summary.view);
    var state = (registry[ident] = { view: null, updates: 0, lastUpdateMs: null, error: null });

    function refresh() {
      var view = state.view;
      var rows = sortRows(view.data(tableData) || [], meta.table.sort);
      var summaryRows = (view.data(summaryData) || []).filter(function (r) {
        return matches(r, meta.summary.where);
      });
      renderTable(tableBox, rows, meta.table.columns, caption);
      summary.textContent = rows.length && summaryRows.length
        ? fill(meta.summary.template, summaryRows[0], rows.length)
        : meta.summary.empty;
      state.updates += 1;
    }

    var pending = false;
    var started = 0;
    function schedule() {
      if (!pending) {
        pending = true;
        started = performance.now();
        Promise.resolve().then(function () {
          return state.view.runAsync();
        }).then(function () {
          pending = false;
          refresh();
          state.lastUpdateMs = performance.now() - started;
        });
      }
    }

    state.ready = window.vegaEmbed(chart, spec, {
      mode: "vega", renderer: meta.renderer || "svg", actions: false, bind: controls, tooltip: false,
    }).then(function (result) {
      state.view = result.view;
      state.dataOf = function (viewName) { return result.view.data(markData(spec, viewName)); };
      boundSignals(spec).forEach(function (name) { result.view.addSignalListener(name, schedule); });
      tidyControls(controls, "explorer-" + ident);
      block.classList.add("coursekit-explorer-ready");
      refresh();
      return state;
    }).catch(function (error) {
      state.error = String(error);
      summary.textContent = "The explorer could not start: " + error;
      throw error;
    });
  }

  function start() {
    if (typeof window.vegaEmbed !== "function") return;
    document.querySelectorAll(".coursekit-explorer").forEach(function (block) {
      try {
        setUp(block);
      } catch (error) {
        var ident = block.getAttribute("data-explorer");
        registry[ident] = { view: null, updates: 0, error: String(error) };
        block.querySelector(".coursekit-explorer-summary").textContent =
          "The explorer could not start: " + error;
        console.error("explorer " + ident + ": " + error);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
