// Target, pace and actual per row as an ECharts bar chart (data from json_script).
(function () {
  "use strict";
  var holder = document.getElementById("tracking-chart");
  var source = document.getElementById("tracking-chart-data");
  if (!holder || !source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  if (!data || !data.labels || !data.labels.length) { holder.hidden = true; return; }
  var chart = window.echarts.init(holder);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: [data.names.target, data.names.pace, data.names.actual] },
    grid: { left: 80, right: 20, bottom: 90 },
    xAxis: { type: "category", data: data.labels, axisLabel: { rotate: 40, interval: 0 } },
    yAxis: { type: "value" },
    series: [
      { name: data.names.target, type: "bar", data: data.target, itemStyle: { color: "#9fb7d3" } },
      { name: data.names.actual, type: "bar", data: data.actual, itemStyle: { color: "#1f4e79" } },
      { name: data.names.pace, type: "line", data: data.pace, symbol: "diamond", itemStyle: { color: "#d9822b" } }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
