// The distribution map (分布图): Yuncheng's 13 counties and every service point, coloured by kind and faded by status.
// Data from the portal (/network/map-data, the user's own session); a click on the map fills the finder's position.
(function () {
  'use strict';
  var container = document.getElementById('network-map');
  if (!container || !window.echarts) { return; }
  var colours = {
    community_center: '#c0392b', regional_center: '#8e44ad', love_station: '#e67e22', reception_center: '#2c3e50',
    bus_station: '#16a085', railway_station: '#2980b9', high_speed_rail_station: '#1abc9c', relief_station: '#d35400'
  };
  var chart = echarts.init(container, null, { renderer: 'svg' });
  var filters = document.getElementById('map-filters');
  var points = [];

  function selected(name) { var el = filters && filters.elements[name]; return el ? el.value : ''; }

  function render() {
    var kind = selected('kind'), status = selected('status'), county = selected('county');
    var shown = points.filter(function (p) {
      return (!kind || p.kind === kind) && (!status || p.status === status) && (!county || p.countyCode === county);
    });
    chart.setOption({
      tooltip: { trigger: 'item', formatter: function (item) { return item.data && item.data.name ? item.data.name + '<br>' + item.data.label : item.name; } },
      geo: { map: '运城', roam: true, label: { show: true, fontSize: 11 }, itemStyle: { areaColor: '#f4f1ea', borderColor: '#9a8f7d' } },
      series: [{
        type: 'scatter', coordinateSystem: 'geo', symbolSize: 7,
        data: shown.map(function (p) {
          return {
            name: p.name, value: [p.longitude, p.latitude], label: p.code + ' · ' + p.statusName,
            itemStyle: { color: colours[p.kind] || '#555', opacity: p.status === 'embedded' ? 0.9 : 0.35 }
          };
        })
      }]
    }, { replaceMerge: ['series'] });
    container.setAttribute('data-markers', String(shown.length));
  }

  chart.on('click', function () { /* a marker: the tooltip says what it is */ });
  chart.getZr().on('click', function (event) {
    var position = chart.convertFromPixel({ geoIndex: 0 }, [event.offsetX, event.offsetY]);
    var finder = document.getElementById('finder');
    if (!position || !finder) { return; }
    finder.elements.lon.value = position[0].toFixed(5);
    finder.elements.lat.value = position[1].toFixed(5);
    finder.submit();
  });
  if (filters) {
    filters.addEventListener('change', render);
    filters.addEventListener('submit', function (event) { event.preventDefault(); render(); });
  }

  fetch('/network/map-data', { credentials: 'same-origin' })
    .then(function (response) { if (!response.ok) { throw new Error('map data ' + response.status); } return response.json(); })
    .then(function (data) {
      points = data;
      var map = echarts.getMap('运城');
      container.setAttribute('data-counties', String(map && map.geoJSON ? map.geoJSON.features.length : 0));
      render();
      container.setAttribute('data-ready', 'true');
    })
    .catch(function () { container.setAttribute('data-error', 'true'); });
  window.addEventListener('resize', function () { chart.resize(); });
})();
