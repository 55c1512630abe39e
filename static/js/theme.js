// Follows the reader's light or dark preference. Loaded in <head>, before the first paint, so a
// dark page never flashes white. Bootstrap's colour modes hang on data-bs-theme; the charts ask
// `MLMaturityTheme.chartLayout()` for matching colours.
(function () {
  "use strict";
  var query = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;

  function mode() {
    return query && query.matches ? "dark" : "light";
  }

  function apply() {
    document.documentElement.setAttribute("data-bs-theme", mode());
  }

  // Layout updates (plotly's dotted keys) that give a chart this mode's colours: transparent
  // backgrounds take the page's colour; text and grid lines follow the mode. Only axes the
  // figure already has are touched, so a radar never grows empty cartesian axes.
  function chartLayout(layout) {
    var dark = mode() === "dark";
    var grid = dark ? "#495057" : "#dee2e6";
    var update = {
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      "font.color": dark ? "#dee2e6" : "#212529",
    };
    Object.keys(layout || {}).forEach(function (key) {
      if (/^[xy]axis\d*$/.test(key)) {
        update[key + ".gridcolor"] = grid;
        update[key + ".zerolinecolor"] = grid;
      } else if (/^polar\d*$/.test(key)) {
        update[key + ".bgcolor"] = "rgba(0,0,0,0)";
        update[key + ".radialaxis.gridcolor"] = grid;
        update[key + ".angularaxis.gridcolor"] = grid;
      }
    });
    return update;
  }

  apply();
  if (query && query.addEventListener) {
    query.addEventListener("change", function () {
      apply();
      // Charts drawn in the old mode are redrawn with the new colours.
      if (window.Plotly) {
        document.querySelectorAll(".js-plotly-plot").forEach(function (element) {
          window.Plotly.relayout(element, chartLayout(element.layout));
        });
      }
    });
  }

  // Figures are built on the server for a light page; a chart drawn in dark mode takes the
  // page's colours once plotly has drawn it.
  function matchChart(element) {
    if (window.Plotly && mode() === "dark") {
      window.Plotly.relayout(element, chartLayout(element.layout));
    }
  }

  window.MLMaturityTheme = { mode: mode, matchChart: matchChart };
})();
