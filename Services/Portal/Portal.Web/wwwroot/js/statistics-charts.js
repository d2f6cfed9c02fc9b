// The statistics page's charts (统计报表). Each [data-chart] element carries its own data (labels, values, and the link
// to the cases behind each value), written by the page: no inline script, no second request. A click on a bar, a
// slice or a county follows the same link as the number in the table below it.
(function () {
  'use strict';
  if (!window.echarts) { return; }
  var charts = [];

  function options(kind, data) {
    var items = data.labels.map(function (label, i) { return { name: label, value: data.values[i], link: data.links[i] }; });
    if (kind === 'pie') {
      return {
        tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' },
        series: [{ type: 'pie', radius: ['35%', '70%'], data: items, label: { formatter: '{b}\n{c}' } }]
      };
    }
    if (kind === 'map') {
      var max = Math.max.apply(null, data.values.concat([1]));
      return {
        tooltip: { trigger: 'item', formatter: function (item) { return item.name + ': ' + (item.value || 0); } },
        visualMap: { min: 0, max: max, left: 'left', bottom: 10, calculable: true, inRange: { color: ['#f4f1ea', '#e6a04a', '#b3261e'] } },
        series: [{ type: 'map', map: '运城', roam: false, label: { show: true, fontSize: 11 }, data: items }]
      };
    }
    return {
      tooltip: { trigger: 'axis' },
      grid: { left: 40, right: 12, top: 16, bottom: 60 },
      xAxis: { type: 'category', data: data.labels, axisLabel: { interval: 0, rotate: data.labels.length > 6 ? 35 : 0 } },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ type: 'bar', data: items, itemStyle: { color: '#2f6f9f' } }]
    };
  }

  Array.prototype.forEach.call(document.querySelectorAll('[data-chart]'), function (container) {
    try {
      var data = JSON.parse(container.getAttribute('data-series') || '{"labels":[],"values":[],"links":[]}');
      var chart = echarts.init(container, null, { renderer: 'svg' });
      chart.setOption(options(container.getAttribute('data-chart'), data));
      chart.on('click', function (item) {
        if (item.data && item.data.link && item.data.link.charAt(0) === '/' && item.data.link.charAt(1) !== '/') {
          window.location.href = item.data.link;
        }
      });
      container.setAttribute('data-points', String(data.values.length));
      container.setAttribute('data-ready', 'true');
      charts.push(chart);
    } catch (e) {
      container.setAttribute('data-error', 'true');
      throw e;
    }
  });
  window.addEventListener('resize', function () { charts.forEach(function (chart) { chart.resize(); }); });
})();
