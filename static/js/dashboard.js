// Organisation dashboards: draws every element with data-dashboard-figure="<id>" from the JSON
// of the json_script block with that id, and follows drill-down links on click. Figures are
// built on the server (assessments/charts.py); this file only hands them to plotly.js.
//
// Links travel in each trace's `meta`: `link` for the whole trace (a team's line), `links`
// indexed by point (a bar) or by row (a heatmap). Only same-site paths are followed.
(function () {
  "use strict";

  function sameSitePath(url) {
    if (typeof url !== "string" || url.charAt(0) !== "/") { return null; }
    // "//host" and "/\host" would leave the site.
    if (url.charAt(1) === "/" || url.charAt(1) === "\\") { return null; }
    return url;
  }

  function linkOf(point) {
    var meta = point && point.data && point.data.meta;
    if (!meta) { return null; }
    if (meta.link) { return sameSitePath(meta.link); }
    if (meta.links) {
      // Heatmap points are [row, column]; bars and markers a single number.
      var index = Array.isArray(point.pointIndex) ? point.pointIndex[0] : point.pointIndex;
      return sameSitePath(meta.links[index]);
    }
    return null;
  }

  function hasLinks(figure) {
    return (figure.data || []).some(function (trace) {
      return trace.meta && (trace.meta.link || trace.meta.links);
    });
  }

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-dashboard-figure"));
    if (!source) { return; }
    var figure = JSON.parse(source.textContent);
    var config = { displayModeBar: false, responsive: true };
    window.Plotly.newPlot(element, figure.data || [], figure.layout || {}, config).then(function () {
      if (window.MLMaturityTheme) { window.MLMaturityTheme.matchChart(element); }
      if (!hasLinks(figure)) { return; }
      element.classList.add("chart-links");
      element.on("plotly_click", function (event) {
        var url = event && event.points && event.points.length ? linkOf(event.points[0]) : null;
        if (url) { window.location.assign(url); }
      });
    });
  }

  function drawAll() {
    if (!window.Plotly) { return; }
    document.querySelectorAll("[data-dashboard-figure]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
