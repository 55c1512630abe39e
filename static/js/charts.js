// Draws every element with data-figure="<id>", reading the figure from the json_script block
// of that id. Figures are built on the server from plain data; nothing here builds markup.
(function () {
  "use strict";
  function draw() {
    if (!window.Plotly) { return; }
    document.querySelectorAll("[data-figure]").forEach(function (element) {
      var source = document.getElementById(element.getAttribute("data-figure"));
      if (!source) { return; }
      var figure = JSON.parse(source.textContent);
      window.Plotly.newPlot(element, figure.data || [], figure.layout || {}, {
        displaylogo: false,
        responsive: true,
      }).then(function () {
        if (window.MLMaturityTheme) { window.MLMaturityTheme.matchChart(element); }
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
