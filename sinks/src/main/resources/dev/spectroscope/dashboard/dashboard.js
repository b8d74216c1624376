// Spectroscope live dashboard: the run list, and per run the loss, λ̂ ± sd, DOS λ and m and the concept
// probes, with every transition marked on every chart. Data: GET /api/runs/{id} once, then server-sent events.
(function () {
  'use strict';
  const COLORS = ['#5cc8ff', '#f5b942', '#b58cff', '#6bd49c', '#ff6b6b', '#ff9f6b', '#8ad4ff', '#d4e157'];
  const charts = {};
  for (const name of ['loss', 'llc', 'dos', 'concepts']) {
    charts[name] = echarts.init(document.getElementById('chart-' + name), null, { renderer: 'canvas' });
  }
  window.addEventListener('resize', () => Object.values(charts).forEach(c => c.resize()));

  let runs = [];
  let current = null;   // the selected run's full data, as /api/runs/{id} returns it
  let renderQueued = false;

  const fmt = (v, d = 3) => (v === null || v === undefined || !isFinite(v)) ? '—' : Number(v).toFixed(d);
  const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; };

  function baseOption(yName, logY) {
    return {
      backgroundColor: 'transparent', animation: false,
      grid: { left: 56, right: 56, top: 36, bottom: 32 },
      tooltip: { trigger: 'axis' },
      legend: { type: 'scroll', top: 0, textStyle: { color: '#8a96a3' }, pageTextStyle: { color: '#8a96a3' } },
      xAxis: { type: 'value', name: 'step', nameLocation: 'end', scale: true, axisLabel: { color: '#8a96a3' }, splitLine: { lineStyle: { color: '#222a33' } } },
      yAxis: { type: logY ? 'log' : 'value', name: yName, scale: true, axisLabel: { color: '#8a96a3' }, splitLine: { lineStyle: { color: '#222a33' } } },
    };
  }

  // Transitions: a shaded band from start to end step, and a dashed line where the detector fired.
  function marks() {
    const ts = current ? current.transitions : [];
    return {
      markArea: { silent: true, label: { show: false }, itemStyle: { color: 'rgba(245,185,66,0.12)' },
        data: ts.map(t => [{ xAxis: t.startStep, name: t.signal }, { xAxis: Math.max(t.endStep, t.startStep + 1) }]) },
      markLine: { silent: true, symbol: 'none', label: { formatter: p => p.name.replace(/^concept:/, ''), position: 'insideEndTop', color: '#f5b942', fontSize: 10 },
        lineStyle: { color: '#f5b942', type: 'dashed' }, data: ts.map(t => ({ xAxis: t.detectedAtStep, name: t.signal })) },
    };
  }

  function render() {
    renderQueued = false;
    if (!current) return;
    const m = marks();
    charts.loss.setOption(Object.assign(baseOption('loss', positive(current.series.loss)), {
      series: [Object.assign({ name: 'loss', type: 'line', showSymbol: false, data: current.series.loss.map(p => [p[0], p[1]]), lineStyle: { width: 1.5 }, color: COLORS[0] }, m)],
    }), true);
    const llc = current.series.llc;
    charts.llc.setOption(Object.assign(baseOption('λ̂', false), {
      series: [
        // The error band: one polygon through mean + sd and back through mean − sd.
        { name: '± sd', type: 'custom', silent: true, z: 1, color: 'rgba(181,140,255,0.25)',
          data: llc.map(p => [p[0], p[1] - p[2], p[1] + p[2]]), encode: { x: 0, y: [1, 2] }, tooltip: { show: false },
          renderItem: (params, api) => {
            if (params.dataIndex !== 0) return null;
            const upper = llc.map(p => api.coord([p[0], p[1] + p[2]]));
            const lower = llc.map(p => api.coord([p[0], p[1] - p[2]])).reverse();
            return { type: 'polygon', shape: { points: upper.concat(lower) }, style: { fill: 'rgba(181,140,255,0.25)' } };
          } },
        Object.assign({ name: 'λ̂', type: 'line', showSymbol: true, symbolSize: 4, color: '#b58cff', data: llc.map(p => [p[0], p[1]]) }, m),
      ],
      legend: { top: 0, data: ['λ̂', '± sd'], textStyle: { color: '#8a96a3' } },
    }), true);
    const dos = current.series.dos;
    charts.dos.setOption(Object.assign(baseOption('λ', false), {
      yAxis: [
        { type: 'value', name: 'λ', scale: true, axisLabel: { color: '#8a96a3' }, splitLine: { lineStyle: { color: '#222a33' } } },
        { type: 'value', name: 'm', scale: true, axisLabel: { color: '#8a96a3' }, splitLine: { show: false } },
      ],
      series: [
        Object.assign({ name: 'DOS λ', type: 'line', showSymbol: true, symbolSize: 4, color: COLORS[3], data: dos.map(p => [p[0], p[1]]) }, m),
        { name: 'm', type: 'line', yAxisIndex: 1, showSymbol: true, symbolSize: 4, color: COLORS[5], data: dos.map(p => [p[0], p[3]]) },
      ],
    }), true);
    const names = Object.keys(current.series.concepts);
    charts.concepts.setOption(Object.assign(baseOption('score', false), {
      series: names.length === 0 ? [Object.assign({ name: 'no concept probes', type: 'line', data: [] }, m)]
        : names.map((n, i) => Object.assign({ name: n, type: 'line', showSymbol: false, color: COLORS[i % COLORS.length], data: current.series.concepts[n].map(p => [p[0], p[1]]) }, i === 0 ? m : {})),
    }), true);
    renderFacts();
    renderTransitions();
    renderAlerts();
  }

  function positive(points) { return points.length > 0 && points.every(p => p[1] > 0); }

  function schedule() {
    if (!renderQueued) { renderQueued = true; setTimeout(render, 250); }
  }

  function renderFacts() {
    const f = document.getElementById('facts');
    f.replaceChildren();
    const facts = [['step', current.latestStep], ['loss', fmt(current.loss, 4)], ['λ̂', fmt(current.llc) + ' ± ' + fmt(current.llcSd)],
      ['DOS λ', fmt(current.dosLambda)], ['m', fmt(current.dosMultiplicity, 2)], ['transitions', current.transitions.length], ['status', current.status]];
    for (const [k, v] of facts) { const d = el('div', 'fact'); d.append(el('div', 'v', String(v)), el('div', 'k', k)); f.append(d); }
    document.getElementById('run-title').textContent = current.name + ' · ' + current.model;
  }

  function renderTransitions() {
    const body = document.querySelector('#transitions tbody');
    body.replaceChildren();
    for (const t of current.transitions) {
      const tr = el('tr');
      tr.append(el('td', null, t.signal), el('td', null, t.startStep + '–' + t.endStep), el('td', null, String(t.detectedAtStep)),
        el('td', null, fmt(t.levelBefore) + ' → ' + fmt(t.levelAfter)), el('td', null, (t.topConcepts || []).join(', ')));
      body.append(tr);
    }
  }

  function renderAlerts() {
    const ul = document.getElementById('alerts');
    ul.replaceChildren();
    for (const a of current.alerts) {
      const li = el('li');
      const sev = a.resolved ? 'RESOLVED' : a.severity;
      li.append(el('span', 'sev ' + sev, sev), document.createTextNode((a.step !== null ? 'step ' + a.step + ' · ' : '') + a.title));
      li.title = a.text;
      ul.append(li);
    }
  }

  function renderRuns() {
    const ul = document.getElementById('runs');
    ul.replaceChildren();
    for (const r of runs) {
      const li = el('li', current && current.runId === r.runId ? 'selected' : '');
      li.dataset.runId = r.runId;
      const title = el('div', null, r.name);
      title.append(el('span', 'status', r.status));
      li.append(title, el('div', 'meta', r.model + ' · step ' + r.latestStep + ' · λ̂ ' + fmt(r.llc, 2) + ' · ' + r.transitionCount + ' transitions'));
      li.onclick = () => select(r.runId);
      ul.append(li);
    }
  }

  async function select(runId) {
    const response = await fetch('/api/runs/' + encodeURIComponent(runId));
    if (!response.ok) return;
    current = await response.json();
    history.replaceState(null, '', '#run=' + encodeURIComponent(runId));
    renderRuns();
    render();
  }

  async function loadRuns() {
    runs = await (await fetch('/api/runs')).json();
    renderRuns();
    const wanted = decodeURIComponent((location.hash.match(/run=([^&]+)/) || [])[1] || '');
    if (!current && runs.length > 0) await select(runs.some(r => r.runId === wanted) ? wanted : runs[0].runId);
  }

  function onRun(msg) {
    const i = runs.findIndex(r => r.runId === msg.runId);
    if (i >= 0) runs[i] = Object.assign(runs[i], msg.data); else runs.unshift(msg.data);
    if (current && current.runId === msg.runId) Object.assign(current, { name: msg.data.name, model: msg.data.model, status: msg.data.status });
    renderRuns();
    if (!current) select(msg.runId);
  }

  function onPoint(msg) {
    const r = runs.find(x => x.runId === msg.runId);
    if (r) r.latestStep = Math.max(r.latestStep, msg.data.latestStep);
    if (!current || current.runId !== msg.runId) return;
    const s = msg.data.series, p = msg.data.point;
    current.latestStep = Math.max(current.latestStep, msg.data.latestStep);
    const series = current.series;
    if (s === 'loss') { series.loss.push(p); current.loss = p[1]; }
    else if (s === 'llc') { series.llc.push(p); current.llc = p[1]; current.llcSd = p[2]; }
    else if (s === 'dos') { series.dos.push(p); current.dosLambda = p[1]; current.dosMultiplicity = p[3]; }
    else if (s.startsWith('concept:')) { const n = s.slice(8); (series.concepts[n] = series.concepts[n] || []).push(p); }
    schedule();
  }

  function onTransition(msg) {
    if (!current || current.runId !== msg.runId) return;
    current.transitions = current.transitions.filter(t => t.transitionId !== msg.data.transitionId);
    current.transitions.push(msg.data);
    schedule();
  }

  function onAlert(msg) {
    if (!current || current.runId !== msg.runId) return;
    current.alerts.unshift(msg.data);
    schedule();
  }

  function connect() {
    const source = new EventSource('/api/stream');
    const pill = document.getElementById('connection');
    source.onopen = () => { pill.textContent = 'live'; pill.className = 'pill on'; };
    source.onerror = () => { pill.textContent = 'reconnecting…'; pill.className = 'pill off'; };
    const handle = fn => e => fn(JSON.parse(e.data));
    source.addEventListener('run', handle(onRun));
    source.addEventListener('point', handle(onPoint));
    source.addEventListener('transition', handle(onTransition));
    source.addEventListener('alert', handle(onAlert));
  }

  // What the browser test reads: points per chart as drawn, and the transition markers on each chart.
  window.spectroscope = {
    state: () => {
      const out = { runId: current ? current.runId : null, points: {}, markers: {} };
      for (const [name, chart] of Object.entries(charts)) {
        const series = (chart.getOption() ? chart.getOption().series : []).filter(s => s.type === 'line');
        out.points[name] = series.reduce((n, s) => n + (s.data ? s.data.length : 0), 0);
        out.markers[name] = series.reduce((n, s) => n + (s.markLine && s.markLine.data ? s.markLine.data.length : 0), 0);
      }
      return out;
    },
  };

  connect();
  loadRuns();
})();
