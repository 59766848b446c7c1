// The explorer's chart: the pivot's rows as series over its columns (bars or lines), or the
// whole grid as a heat map. Labels go through ECharts as text (no HTML), never interpreted (R23).
(function () {
  "use strict";
  var holder = document.getElementById("explorer-chart");
  var source = document.getElementById("explorer-chart-data");
  if (!holder || !source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  if (!data || !data.cells.length) { holder.hidden = true; return; }
  var type = holder.getAttribute("data-type") || "bar";
  var chart = echarts.init(holder);
  var option;
  if (type === "heatmap") {
    var values = data.cells.map(function (c) { return Number(c[2]); });
    option = {
      tooltip: { position: "top", renderMode: "richText" },
      grid: { left: 160, bottom: 90 },
      xAxis: { type: "category", data: data.columns, axisLabel: { rotate: 30 } },
      yAxis: { type: "category", data: data.rows },
      visualMap: { min: Math.min.apply(null, values), max: Math.max.apply(null, values),
        calculable: true, orient: "horizontal", left: "center", bottom: 0 },
      series: [{ type: "heatmap", data: data.cells.map(function (c) { return [c[1], c[0], Number(c[2])]; }) }]
    };
  } else {
    var grid = data.rows.map(function () { return data.columns.map(function () { return 0; }); });
    data.cells.forEach(function (c) { grid[c[0]][c[1]] = Number(c[2]); });
    option = {
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { type: "scroll" },
      xAxis: { type: "category", data: data.columns, axisLabel: { rotate: data.columns.length > 12 ? 30 : 0 } },
      yAxis: { type: "value" },
      series: data.rows.slice(0, 12).map(function (name, i) {
        return { name: name, type: type === "line" ? "line" : "bar", data: grid[i] };
      })
    };
  }
  chart.setOption(option);
  window.addEventListener("resize", function () { chart.resize(); });
})();
