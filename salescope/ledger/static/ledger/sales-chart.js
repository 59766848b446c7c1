// Sales summary chart: months on the x axis when "month" is a dimension, one series per
// combination of the other dimensions (top 10 by amount); otherwise bars by the first one.
// Labels go through ECharts as text (no HTML), so names are shown, never interpreted (R23).
(function () {
  "use strict";
  var holder = document.getElementById("sales-chart");
  var source = document.getElementById("sales-chart-data");
  if (!holder || !source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var dims = data.dims, rows = data.rows;
  if (!rows.length) { holder.hidden = true; return; }
  var chart = echarts.init(holder);
  var option;
  if (dims.indexOf("month") >= 0) {
    var others = dims.filter(function (d) { return d !== "month"; });
    var months = [], series = {}, totals = {};
    rows.forEach(function (r) {
      if (months.indexOf(r.month) < 0) { months.push(r.month); }
      var key = others.map(function (d) { return String(r[d]); }).join(" / ") || "Σ";
      series[key] = series[key] || {};
      series[key][r.month] = (series[key][r.month] || 0) + Number(r.amount);
      totals[key] = (totals[key] || 0) + Number(r.amount);
    });
    months.sort();
    var keys = Object.keys(series).sort(function (a, b) { return totals[b] - totals[a]; }).slice(0, 10);
    option = {
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { type: "scroll" },
      xAxis: { type: "category", data: months },
      yAxis: { type: "value" },
      series: keys.map(function (k) {
        return { name: k, type: "line", data: months.map(function (m) { return series[k][m] || 0; }) };
      })
    };
  } else {
    var first = dims[0];
    var sums = {};
    rows.forEach(function (r) { sums[String(r[first])] = (sums[String(r[first])] || 0) + Number(r.amount); });
    var names = Object.keys(sums).sort(function (a, b) { return sums[b] - sums[a]; }).slice(0, 30);
    option = {
      tooltip: { trigger: "axis", renderMode: "richText" },
      xAxis: { type: "category", data: names, axisLabel: { rotate: 30 } },
      yAxis: { type: "value" },
      series: [{ type: "bar", data: names.map(function (n) { return sums[n]; }) }]
    };
  }
  chart.setOption(option);
  window.addEventListener("resize", function () { chart.resize(); });
})();
