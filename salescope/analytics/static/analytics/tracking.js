// Target, pace and actual per row as an ECharts bar chart (data from json_script).
// The bars grow from the axis for about a second after load (ECharts' entry animation): a
// screenshot taken at once shows an empty grid. People who ask for reduced motion get the
// finished chart straight away.
(function () {
  "use strict";
  var holder = document.getElementById("tracking-chart");
  var source = document.getElementById("tracking-chart-data");
  if (!holder || !source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  if (!data || !data.labels || !data.labels.length) { holder.hidden = true; return; }
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  // A level (market share…) is a percentage: its axis and tooltip carry the % sign.
  var unit = data.unit || "";
  var withUnit = function (value) { return value == null ? "—" : value + unit; };
  var chart = window.echarts.init(holder);
  chart.setOption({
    animation: !still,
    tooltip: { trigger: "axis", valueFormatter: withUnit },
    // ECharts 6 puts the legend at the bottom by default; keep it on top, out of the labels' way.
    legend: { top: 0, data: [data.names.target, data.names.pace, data.names.actual] },
    grid: { top: 40, left: 80, right: 20, bottom: 90 },
    xAxis: { type: "category", data: data.labels, axisLabel: { rotate: 40, interval: 0 } },
    yAxis: { type: "value", axisLabel: { formatter: "{value}" + unit } },
    series: [
      { name: data.names.target, type: "bar", data: data.target, itemStyle: { color: "#9fb7d3" } },
      { name: data.names.actual, type: "bar", data: data.actual, itemStyle: { color: "#1f4e79" } },
      { name: data.names.pace, type: "line", data: data.pace, symbol: "diamond", itemStyle: { color: "#d9822b" } }
    ]
  });
  holder.setAttribute("data-chart-ready", "1");
  window.addEventListener("resize", function () { chart.resize(); });
})();
