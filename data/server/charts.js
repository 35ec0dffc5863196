// egresswatch status page: draws the latency charts with uPlot from the JSON embedded in the page.
// The page works without this script; charts are the only thing it adds.
(function () {
  'use strict';
  var COLORS = ['#805ad5', '#3182ce', '#dd6b20', '#38a169', '#e53e3e'];

  function draw(el) {
    var source = document.getElementById(el.getAttribute('data-chart'));
    if (!source || typeof uPlot === 'undefined') return;
    var data = JSON.parse(source.textContent);
    var unit = el.getAttribute('data-unit') || '';
    var series = [{}];
    var columns = [data.times];
    data.series.forEach(function (s, i) {
      series.push({ label: s.label, stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: false, value: function (u, v) { return v == null ? '–' : (v > 0 && v < 1 ? v.toPrecision(2) : v.toFixed(1)) + ' ' + unit; } });
      columns.push(s.values);
    });
    var width = Math.max(320, el.clientWidth || 800);
    // Without the pointer over the chart, the legend shows each series' latest value: it reads
    // without hovering.
    var latest = function (u) {
      var last = data.times.length - 1;
      if (last >= 0 && u.cursor.idx == null) u.setLegend({ idx: last });
    };
    // One point (the first minute of data): uPlot would span a thousand days from it (it adds a
    // day in ms to a scale in seconds); show five minutes either side instead.
    var single = data.times.length === 1 ? data.times[0] : null;
    var xRange = function (u, min, max) { return single !== null ? [single - 300, single + 300] : [min, max]; };
    var chart = new uPlot({ width: width, height: 240, series: series, axes: [{ space: 80 }, { label: unit }], scales: { x: { time: true, range: xRange } }, hooks: { ready: [latest], setCursor: [latest] } }, columns, el);
    el.setAttribute('data-rendered', 'true');
    window.addEventListener('resize', function () { chart.setSize({ width: Math.max(320, el.clientWidth || 800), height: 240 }); });
  }

  function start() {
    var charts = document.querySelectorAll('[data-chart]');
    for (var i = 0; i < charts.length; i++) draw(charts[i]);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
