// The dashboard's single page: hash routes, data from /api, live updates from one server-sent event stream.
const page = document.getElementById('page');
const palette = ['#0b62d6', '#1a7f37', '#bc4c00', '#8250df', '#bf3989', '#0a7d8c', '#9a6700', '#cf222e', '#57606a', '#2da44e', '#6639ba', '#d4a72c'];
const colorOf = (() => { const known = new Map(); return name => { if (!known.has(name)) known.set(name, palette[known.size % palette.length]); return known.get(name); }; })();
const esc = s => String(s ?? '').replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const fmtTime = iso => iso ? new Date(iso).toLocaleTimeString(undefined, { hour12: false }) + '.' + String(new Date(iso).getMilliseconds()).padStart(3, '0') : '';
const fmtMs = ms => ms >= 1000 ? (ms / 1000).toFixed(2) + ' s' : ms >= 1 ? ms.toFixed(1) + ' ms' : (ms * 1000).toFixed(0) + ' µs';
const fmtBytes = b => b == null ? '' : b >= 1 << 30 ? (b / (1 << 30)).toFixed(1) + ' GiB' : (b / (1 << 20)).toFixed(1) + ' MiB';
const fmtNum = v => v == null ? '' : Math.abs(v) >= 1e6 ? (v / 1e6).toFixed(2) + 'M' : Math.abs(v) >= 1e3 ? (v / 1e3).toFixed(1) + 'k' : Math.abs(v) >= 10 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(2);
const query = () => new URLSearchParams(location.hash.split('?')[1] || '');
const setQuery = params => { const base = location.hash.split('?')[0]; const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '' && v != null)).toString(); history.replaceState(null, '', q ? `${base}?${q}` : base); };

// A page left while its data was on the way must not draw over the next one: answers to an older navigation throw.
let navigation = 0;
class Stale extends Error {}
async function api(path, options) {
  const asked = navigation;
  const response = await fetch(path, { credentials: 'same-origin', ...options });
  if (asked !== navigation) throw new Stale('page left');
  if (response.status === 401) { location.href = '/login'; throw new Error('not signed in'); }
  if (!response.ok) { const problem = await response.json().catch(() => ({})); throw new Error(problem.detail || problem.title || response.statusText); }
  const body = await response.json();
  if (asked !== navigation) throw new Stale('page left');
  return body;
}

// ---- Live updates -------------------------------------------------------------------------------------------------
let events = null, eventsConsole = null, current = null;
function connect(consoleResource) {
  if (events && eventsConsole === consoleResource) return;
  events?.close();
  eventsConsole = consoleResource;
  events = new EventSource('/api/events' + (consoleResource ? `?console=${encodeURIComponent(consoleResource)}` : ''));
  const live = document.getElementById('live');
  events.onopen = () => live.classList.add('on');
  events.onerror = () => live.classList.remove('on');
  for (const type of ['resource', 'console', 'telemetry', 'usage']) {
    events.addEventListener(type, e => { const data = JSON.parse(e.data); if (type === 'telemetry') showStats(data); current?.[type]?.(data); });
  }
}
function showStats(s) {
  const dropped = s.droppedLogs + s.droppedTraces + s.droppedMetricPoints + s.droppedSpans;
  document.getElementById('stats').textContent = `${s.logs.toLocaleString()} logs · ${s.traces.toLocaleString()} traces · ${s.metricPoints.toLocaleString()} points` + (dropped ? ` · ${dropped.toLocaleString()} dropped (limits ${s.limits.maxLogCount}/${s.limits.maxTraceCount}/${s.limits.maxMetricsCount})` : '');
}
// Runs fn at most once per interval, trailing call kept.
function throttle(fn, ms) { let timer = null, pending = false; return () => { if (timer) { pending = true; return; } fn(); timer = setTimeout(() => { timer = null; if (pending) { pending = false; fn(); } }, ms); }; }

// ---- ANSI colors (SGR) --------------------------------------------------------------------------------------------
function ansiToHtml(text) {
  let html = '', bold = false, fg = null;
  for (const [i, part] of text.split(/\x1b\[([0-9;]*)m/).entries()) {
    if (i % 2 === 1) {
      const codes = part === '' ? [0] : part.split(';').map(Number);
      for (let k = 0; k < codes.length; k++) {
        const c = codes[k];
        if (c === 0) { bold = false; fg = null; } else if (c === 1) bold = true; else if (c === 22) bold = false;
        else if ((c >= 30 && c <= 37) || (c >= 90 && c <= 97)) fg = c; else if (c === 39) fg = null;
        else if (c === 38 || c === 48) k += codes[k + 1] === 5 ? 2 : 4;
      }
      continue;
    }
    if (!part) continue;
    const classes = [bold ? 'ansi-1' : '', fg ? `ansi-${fg}` : ''].filter(Boolean).join(' ');
    html += classes ? `<span class="${classes}">${esc(part)}</span>` : esc(part);
  }
  return html;
}

// ---- Resources ----------------------------------------------------------------------------------------------------
// Only what the resource accepts in its present state, as the server says: a finished worker offers Start alone.
function commandButtons(name, commands, rolling) {
  const labels = { 'resource-stop': 'Stop', 'resource-start': 'Start', 'resource-restart': rolling ? 'Rolling restart' : 'Restart' };
  return commands.filter(c => labels[c]).map(c => `<button data-cmd="${c}" data-name="${esc(name)}"${c === 'resource-restart' && rolling ? ' title="Rolling restart: one replica at a time"' : ''}>${labels[c]}</button>`).join(' ');
}
const resourcesPage = {
  title: 'resources',
  async render() {
    this.resources = new Map((await api('/api/resources')).map(r => [r.name, r]));
    this.usageByPid = {};
    this.draw();
  },
  resource(r) { this.resources.set(r.name, r); this.draw(); },
  usage(u) { this.usageByPid = u; this.draw(); },
  usageOf(pid, fallback) { return (pid != null && this.usageByPid[pid]) || fallback; },
  draw() {
    const rows = [...this.resources.values()].map(r => {
      const replicated = r.replicas.length > 1;
      const usage = this.usageOf(r.processId, r.usage);
      const replicaUsage = r.replicas.map(p => this.usageOf(p.processId, p.usage)).filter(Boolean);
      const cpu = replicated ? replicaUsage.reduce((a, u) => a + u.cpuPercent, 0) : usage?.cpuPercent;
      const memory = replicated ? replicaUsage.reduce((a, u) => a + u.memoryBytes, 0) : usage?.memoryBytes;
      const running = r.replicas.some(p => p.state === 'Running') || (!r.replicas.length && r.state === 'Running');
      const actions = commandButtons(r.name, r.commands, replicated);
      const single = r.replicas.length === 1 ? r.replicas[0] : null;
      let html = `<tr data-resource="${esc(r.name)}">
        <td><strong>${esc(r.name)}</strong>${replicated ? ` <span class="muted">${r.replicas.filter(p => p.state === 'Running').length}/${r.replicas.length} replicas</span>` : ''}</td>
        <td>${esc(r.type)}</td>
        <td><span class="state"><span class="dot ${esc(r.state)}"></span><span class="state-text">${esc(r.state)}</span></span>${r.exitCode != null && !running ? ` <span class="muted">(exit ${r.exitCode})</span>` : ''}${r.failureReason ? `<div class="error-text">${esc(r.failureReason)}</div>` : ''}</td>
        <td class="health-${esc(r.health)}">${esc(r.health ?? '')}</td>
        <td>${fmtTime(r.startedAt)}</td><td>${r.restartCount || ''}</td><td class="mono">${r.processId ?? single?.processId ?? ''}</td>
        <td>${cpu != null ? cpu.toFixed(1) + ' %' : ''}</td><td>${fmtBytes(memory)}</td>
        <td>${r.urls.map(u => u.startsWith('http') ? `<a href="${esc(u)}" target="_blank">${esc(u)}</a>` : `<span class="mono">${esc(u)}</span>`).join('<br>')}${r.value != null ? `<span class="mono">${esc(r.value)}</span>` : ''}</td>
        <td>${actions}${single ? ` <button data-env="${esc(single.name)}">Details</button>` : ''}</td></tr>`;
      if (replicated) {
        html += r.replicas.map(p => {
          const u = this.usageOf(p.processId, p.usage);
          return `<tr class="sub" data-replica="${esc(p.name)}"><td>${esc(p.name)}</td><td class="muted">replica</td>
            <td><span class="state"><span class="dot ${esc(p.state)}"></span>${esc(p.state)}</span>${p.failureReason ? `<div class="error-text">${esc(p.failureReason)}</div>` : ''}</td>
            <td class="health-${esc(p.health)}">${esc(p.health ?? '')}</td><td>${fmtTime(p.startedAt)}</td><td>${p.restartCount || ''}</td>
            <td class="mono">${p.processId ?? ''}</td><td>${u ? u.cpuPercent.toFixed(1) + ' %' : ''}</td><td>${fmtBytes(u?.memoryBytes)}</td>
            <td class="mono">${esc(p.url ?? '')} <span class="muted">${p.requestsServed} requests</span></td>
            <td>${commandButtons(p.name, p.commands, false)} <button data-env="${esc(p.name)}">Details</button></td></tr>`;
        }).join('');
      }
      return html;
    }).join('');
    const replica = this.details && [...this.resources.values()].flatMap(r => r.replicas).find(p => p.name === this.details);
    page.innerHTML = `<h1>Resources</h1><div id="command-status" class="muted" role="status">${esc(this.status ?? '')}</div>
      <table id="resources"><thead><tr><th>Name</th><th>Type</th><th>State</th><th>Health</th><th>Started</th><th>Restarts</th><th>PID</th><th>CPU</th><th>Memory</th><th>Endpoints</th><th>Actions</th></tr></thead><tbody>${rows}</tbody></table>
      ${replica ? `<div class="panel" id="details"><strong>${esc(replica.name)}</strong> <span class="muted">instance ${esc(replica.instanceId ?? '')}</span>
        <h3>Environment</h3><div class="kv mono">${replica.environment.map(v => `<div>${esc(v.name)}</div><div>${esc(v.value)}</div>`).join('')}</div></div>` : ''}`;
    page.querySelectorAll('button[data-cmd]').forEach(b => b.onclick = () => this.command(b.dataset.name, b.dataset.cmd));
    page.querySelectorAll('button[data-env]').forEach(b => b.onclick = () => { this.details = this.details === b.dataset.env ? null : b.dataset.env; this.draw(); });
  },
  async command(name, command) {
    this.status = `${command.replace('resource-', '')} ${name}…`; this.draw();
    try { await api(`/api/resources/${encodeURIComponent(name)}/commands/${command}`, { method: 'POST' }); this.status = `${command.replace('resource-', '')} ${name}: done`; }
    catch (e) { this.status = `${command.replace('resource-', '')} ${name} failed: ${e.message}`; }
    this.draw();
  },
};

// ---- Console logs -------------------------------------------------------------------------------------------------
const consolePage = {
  title: 'console', maxLines: 5000,
  async render() {
    const q = query();
    this.resource = q.get('resource') || '';
    this.search = q.get('search') || '';
    const resources = await api('/api/resources');
    page.innerHTML = `<h1>Console logs</h1><div class="toolbar">
      <label for="console-resource">Resource</label><select id="console-resource"><option value="">All</option>${resources.filter(r => r.type !== 'Parameter').map(r => `<option ${r.name === this.resource ? 'selected' : ''}>${esc(r.name)}</option>`).join('')}</select>
      <input id="console-search" placeholder="Search" value="${esc(this.search)}"> <label><input type="checkbox" id="console-follow" checked> Follow</label>
      <span id="console-count" class="muted"></span></div><div class="console" id="console"></div>`;
    document.getElementById('console-resource').onchange = e => { setQuery({ resource: e.target.value, search: this.search }); route(); };
    document.getElementById('console-search').oninput = e => { this.search = e.target.value; setQuery({ resource: this.resource, search: this.search }); this.redraw(); };
    this.lines = await api('/api/console' + (this.resource ? `?resource=${encodeURIComponent(this.resource)}` : '?limit=' + this.maxLines));
    this.lastSequence = this.lines.at(-1)?.sequence ?? 0;
    this.redraw();
  },
  events() { return this.resource || '*'; },
  console(line) {
    if (line.sequence <= this.lastSequence) return;
    this.lastSequence = line.sequence;
    this.lines.push(line);
    if (this.lines.length > this.maxLines) this.lines.shift();
    if (this.matches(line)) this.append([line]); else this.count();
  },
  matches(line) { return !this.search || line.text.toLowerCase().includes(this.search.toLowerCase()) || line.source.toLowerCase().includes(this.search.toLowerCase()); },
  lineHtml(line) { return `<div class="line${line.isError ? ' err' : ''}${this.search ? ' hit' : ''}"><span class="src">${esc(line.source)}</span><span class="txt">${ansiToHtml(line.text)}</span></div>`; },
  redraw() { const box = document.getElementById('console'); box.innerHTML = ''; this.append(this.lines.filter(l => this.matches(l))); },
  append(lines) {
    const box = document.getElementById('console');
    if (!box) return;
    box.insertAdjacentHTML('beforeend', lines.map(l => this.lineHtml(l)).join(''));
    while (box.childElementCount > this.maxLines) box.firstElementChild.remove();
    if (document.getElementById('console-follow').checked) box.scrollTop = box.scrollHeight;
    this.count();
  },
  count() { document.getElementById('console-count').textContent = `${document.getElementById('console').childElementCount} of ${this.lines.length} lines`; },
};

// ---- Shared filters -----------------------------------------------------------------------------------------------
async function resourceOptions(selected) {
  const names = new Set();
  for (const r of await api('/api/telemetry/resources')) { names.add(r.serviceName); names.add(r.name); }
  return `<option value="">All</option>` + [...names].sort().map(n => `<option ${n === selected ? 'selected' : ''}>${esc(n)}</option>`).join('');
}

// ---- Structured logs ----------------------------------------------------------------------------------------------
const logsPage = {
  title: 'logs',
  async render() {
    const q = query();
    this.filters = { resource: q.get('resource') || '', level: q.get('level') || '', text: q.get('text') || '', attribute: q.get('attribute') || '', traceId: q.get('traceId') || '' };
    page.innerHTML = `<h1>Structured logs</h1><div class="toolbar">
      <label>Resource</label><select id="logs-resource">${await resourceOptions(this.filters.resource)}</select>
      <label>Level</label><select id="logs-level"><option value="">All</option>${['Trace', 'Debug', 'Information', 'Warning', 'Error', 'Critical'].map(l => `<option ${l === this.filters.level ? 'selected' : ''}>${l}</option>`).join('')}</select>
      <input id="logs-text" placeholder="Message contains" value="${esc(this.filters.text)}">
      <input id="logs-attribute" placeholder="attribute=value" value="${esc(this.filters.attribute)}">
      ${this.filters.traceId ? `<span class="badge">trace ${esc(this.filters.traceId.slice(0, 8))} <a href="#/logs">✕</a></span>` : ''}
      <span id="logs-count" class="muted"></span></div>
      <table id="logs"><thead><tr><th style="width:9rem">Time</th><th style="width:8rem">Resource</th><th style="width:7rem">Level</th><th>Message</th><th style="width:6rem">Trace</th></tr></thead><tbody></tbody></table><div id="log-details"></div>`;
    const apply = () => { this.filters.resource = document.getElementById('logs-resource').value; this.filters.level = document.getElementById('logs-level').value; this.filters.text = document.getElementById('logs-text').value; this.filters.attribute = document.getElementById('logs-attribute').value; setQuery(this.filters); this.load(); };
    for (const id of ['logs-resource', 'logs-level']) document.getElementById(id).onchange = apply;
    for (const id of ['logs-text', 'logs-attribute']) document.getElementById(id).onchange = apply;
    this.refresh = throttle(() => this.load(true), 1000);
    await this.load();
  },
  telemetry() { this.refresh(); },
  params(after) { const p = new URLSearchParams(Object.entries(this.filters).filter(([, v]) => v)); if (after) p.set('after', after); return p; },
  async load(incremental) {
    const after = incremental ? this.lastSequence : 0;
    const result = await api('/api/logs?' + this.params(after));
    if (!incremental) { this.items = []; document.querySelector('#logs tbody').innerHTML = ''; }
    this.items.push(...result.items);
    if (result.items.length) this.lastSequence = result.items.at(-1).sequence;
    document.querySelector('#logs tbody').insertAdjacentHTML('afterbegin', result.items.slice().reverse().map(l => `<tr class="clickable" data-seq="${l.sequence}">
      <td class="mono">${fmtTime(l.timestamp)}</td><td><span class="res" style="color:${colorOf(l.resource)}">●</span> ${esc(l.resource)}</td>
      <td class="level-${esc(l.level)}">${esc(l.level)}</td><td>${esc(l.message)}${l.exception ? ` <span class="badge error-text">${esc(l.exception.type ?? 'exception')}</span>` : ''}</td>
      <td>${l.traceId ? `<a href="#/traces/${l.traceId}">${l.traceId.slice(0, 8)}</a>` : ''}</td></tr>`).join(''));
    document.getElementById('logs-count').textContent = `${this.items.length} shown`;
    document.querySelectorAll('#logs tr[data-seq]').forEach(row => row.onclick = () => this.details(Number(row.dataset.seq)));
  },
  details(sequence) {
    const l = this.items.find(i => i.sequence === sequence);
    document.getElementById('log-details').innerHTML = `<div class="panel"><strong class="level-${esc(l.level)}">${esc(l.level)}</strong> ${esc(l.message)}
      <div class="kv" style="margin-top:.5rem"><div>Time</div><div>${esc(l.timestamp)}</div><div>Resource</div><div>${esc(l.resource)}</div><div>Category</div><div>${esc(l.category)}</div>
      ${l.eventName ? `<div>Event</div><div>${esc(l.eventName)}</div>` : ''}
      ${l.traceId ? `<div>Trace</div><div><a href="#/traces/${l.traceId}">${l.traceId}</a> span ${esc(l.spanId ?? '')}</div>` : ''}
      ${l.attributes.map(a => `<div>${esc(a.key)}</div><div class="mono">${esc(a.value)}</div>`).join('')}</div>
      ${l.exception ? `<h3>Exception</h3><div class="sql">${esc(l.exception.type ?? '')}: ${esc(l.exception.message ?? '')}\n${esc(l.exception.stackTrace ?? '')}</div>` : ''}</div>`;
  },
};

// ---- Traces -------------------------------------------------------------------------------------------------------
const tracesPage = {
  title: 'traces',
  async render() {
    const q = query();
    this.filters = { resource: q.get('resource') || '', minDurationMs: q.get('minDurationMs') || '', errors: q.get('errors') || '', text: q.get('text') || '' };
    page.innerHTML = `<h1>Traces</h1><div class="toolbar">
      <label>Resource</label><select id="traces-resource">${await resourceOptions(this.filters.resource)}</select>
      <label>Min duration (ms)</label><input id="traces-min" type="number" min="0" style="width:6rem" value="${esc(this.filters.minDurationMs)}">
      <label><input type="checkbox" id="traces-errors" ${this.filters.errors ? 'checked' : ''}> Errors only</label>
      <input id="traces-text" placeholder="Name or trace id" value="${esc(this.filters.text)}"><span id="traces-count" class="muted"></span></div>
      <table id="traces"><thead><tr><th style="width:9rem">Time</th><th>Name</th><th>Resources</th><th style="width:5rem">Spans</th><th style="width:14rem">Duration</th><th style="width:5rem">Errors</th></tr></thead><tbody></tbody></table>`;
    const apply = () => { this.filters = { resource: document.getElementById('traces-resource').value, minDurationMs: document.getElementById('traces-min').value, errors: document.getElementById('traces-errors').checked ? 'true' : '', text: document.getElementById('traces-text').value }; setQuery(this.filters); this.load(); };
    for (const id of ['traces-resource', 'traces-min', 'traces-errors', 'traces-text']) document.getElementById(id).onchange = apply;
    this.refresh = throttle(() => this.load(), 1000);
    await this.load();
  },
  telemetry() { this.refresh(); },
  async load() {
    const result = await api('/api/traces?' + new URLSearchParams(Object.entries(this.filters).filter(([, v]) => v)));
    const longest = Math.max(1, ...result.items.map(t => t.durationMs));
    document.querySelector('#traces tbody').innerHTML = result.items.map(t => `<tr class="clickable" data-trace="${t.traceId}">
      <td class="mono">${fmtTime(t.start)}</td><td><span class="res" style="background:${colorOf(t.rootResource)}">${esc(t.rootResource)}</span> ${esc(t.name)}</td>
      <td>${t.resources.map(r => `<span class="badge" style="border-left:3px solid ${colorOf(r)}">${esc(r)}</span>`).join('')}</td><td>${t.spanCount}</td>
      <td><div style="display:flex;align-items:center;gap:.4rem"><div style="height:.6rem;background:${t.errorCount ? 'var(--bad)' : 'var(--accent)'};width:${Math.max(1, 8 * t.durationMs / longest)}rem"></div>${fmtMs(t.durationMs)}</div></td>
      <td class="${t.errorCount ? 'error-text' : ''}">${t.errorCount || ''}</td></tr>`).join('') || '<tr><td colspan="6" class="empty">No traces yet.</td></tr>';
    document.getElementById('traces-count').textContent = `${result.items.length} of ${result.matched}`;
    document.querySelectorAll('#traces tr[data-trace]').forEach(row => row.onclick = () => location.hash = `#/traces/${row.dataset.trace}`);
  },
};

const tracePage = {
  title: 'traces',
  async render(traceId) {
    this.traceId = traceId;
    this.refresh = throttle(() => this.load(), 1000);
    await this.load();
  },
  telemetry() { this.refresh(); },
  async load() {
    let trace;
    try { trace = await api(`/api/traces/${this.traceId}`); } catch (e) { page.innerHTML = `<h1>Trace ${esc(this.traceId)}</h1><p class="empty">${esc(e.message)}: not received (yet), or dropped past the trace limit.</p>`; return; }
    this.trace = trace;
    const total = Math.max(trace.durationMs, 0.001);
    const ticks = [0, 0.25, 0.5, 0.75, 1].map(f => `<span style="position:absolute;left:${f * 100}%;transform:translateX(-${f * 100}%)">${fmtMs(total * f)}</span>`).join('');
    page.innerHTML = `<h1>Trace <span class="mono">${esc(trace.traceId)}</span></h1>
      <div class="toolbar"><span>${fmtTime(trace.start)}</span><span>Duration <strong>${fmtMs(trace.durationMs)}</strong></span><span>${trace.spans.length} spans</span>
        <span>${trace.resources.map(r => `<span class="res" style="background:${colorOf(r)}">${esc(r)}</span>`).join('')}</span>
        ${trace.errorCount ? `<span class="error-text">${trace.errorCount} errors</span>` : ''}<a href="#/logs?traceId=${trace.traceId}">Structured logs of this trace</a></div>
      <div class="panel waterfall" id="waterfall"><div class="row" style="cursor:default"><div class="name muted">Span</div><div class="track muted" style="font-size:11px">${ticks}</div></div>
      ${trace.spans.map(s => `<div class="row${this.selected === s.spanId ? ' selected' : ''}" data-span="${s.spanId}">
        <div class="name" style="padding-left:${0.4 + s.depth * 1.1}rem" title="${esc(s.name)}"><span class="res" style="background:${colorOf(s.resource)}">${esc(s.resource)}</span>${esc(s.name)}</div>
        <div class="track"><div class="bar${s.status === 'Error' ? ' error' : ''}" style="left:${100 * s.offsetMs / total}%;width:${100 * s.durationMs / total}%;background:${colorOf(s.resource)}"></div>
        <span class="dur" style="left:${100 * (s.offsetMs + s.durationMs) / total}%">${fmtMs(s.durationMs)}</span></div></div>`).join('')}</div><div id="span-details"></div>`;
    document.querySelectorAll('#waterfall .row[data-span]').forEach(row => row.onclick = () => { this.selected = row.dataset.span; this.load(); });
    if (this.selected) this.details(trace.spans.find(s => s.spanId === this.selected));
  },
  details(s) {
    if (!s) return;
    const sql = s.attributes.find(a => a.key === 'db.query.text' || a.key === 'db.statement');
    document.getElementById('span-details').innerHTML = `<div class="panel"><strong>${esc(s.name)}</strong> <span class="badge">${esc(s.kind)}</span> <span class="muted">${esc(s.resource)} · ${esc(s.scope)}</span>
      ${s.status !== 'Unset' ? `<span class="${s.status === 'Error' ? 'error-text' : ''}"> ${esc(s.status)} ${esc(s.statusMessage)}</span>` : ''}
      ${sql ? `<div class="sql" style="margin-top:.5rem">${esc(sql.value)}</div>` : ''}
      <div class="kv" style="margin-top:.5rem"><div>Span id</div><div class="mono">${s.spanId}</div><div>Parent</div><div class="mono">${s.parentSpanId ?? ''}</div><div>Start</div><div>+${fmtMs(s.offsetMs)}</div><div>Duration</div><div>${fmtMs(s.durationMs)}</div>
      ${s.attributes.map(a => `<div>${esc(a.key)}</div><div class="mono">${esc(a.value)}</div>`).join('')}</div>
      ${s.events.length ? `<h3>Events</h3>${s.events.map(e => `<div>+${fmtMs(e.offsetMs)} <strong>${esc(e.name)}</strong> <span class="mono muted">${e.attributes.map(a => `${esc(a.key)}=${esc(a.value)}`).join(' ')}</span></div>`).join('')}` : ''}
      ${s.links.length ? `<h3>Links</h3>${s.links.map(l => `<div><a href="#/traces/${l.traceId}">${l.traceId}</a> span ${l.spanId}</div>`).join('')}` : ''}</div>`;
  },
};

// ---- Metrics ------------------------------------------------------------------------------------------------------
const metricsPage = {
  title: 'metrics',
  async render() {
    const q = query();
    this.selection = { resource: q.get('resource') || '', meter: q.get('meter') || '', name: q.get('name') || '' };
    page.innerHTML = `<h1>Metrics</h1><div class="toolbar"><label>Resource</label><select id="metrics-resource">${await resourceOptions(this.selection.resource)}</select>
      <label>Window</label><select id="metrics-window"><option value="60">1 min</option><option value="300" selected>5 min</option><option value="900">15 min</option><option value="3600">1 h</option></select></div>
      <div class="grid2"><div class="instruments" id="instruments"></div><div id="charts"><p class="empty">Pick an instrument.</p></div></div>`;
    document.getElementById('metrics-resource').onchange = e => { this.selection.resource = e.target.value; setQuery(this.selection); this.instruments(); this.chart(); };
    document.getElementById('metrics-window').onchange = () => this.chart();
    this.refresh = throttle(() => this.chart(), 1000);
    await this.instruments();
    await this.chart();
  },
  telemetry() { this.refresh(); },
  async instruments() {
    const list = await api('/api/metrics/instruments?' + new URLSearchParams(this.selection.resource ? { resource: this.selection.resource } : {}));
    let meter = null, html = '';
    for (const i of list) {
      if (i.meter !== meter) { meter = i.meter; html += `<div class="meter">${esc(meter)}</div>`; }
      html += `<div data-meter="${esc(i.meter)}" data-name="${esc(i.name)}" class="${i.meter === this.selection.meter && i.name === this.selection.name ? 'selected' : ''}" title="${esc(i.description)}">${esc(i.name)}</div>`;
    }
    const box = document.getElementById('instruments');
    box.innerHTML = html || '<p class="empty">No metrics yet.</p>';
    box.querySelectorAll('div[data-name]').forEach(d => d.onclick = () => { this.selection.meter = d.dataset.meter; this.selection.name = d.dataset.name; setQuery(this.selection); box.querySelectorAll('.selected').forEach(s => s.classList.remove('selected')); d.classList.add('selected'); this.chart(); });
  },
  async chart() {
    if (!this.selection.name) return;
    let view;
    try { view = await api('/api/metrics/chart?' + new URLSearchParams(Object.entries(this.selection).filter(([, v]) => v))); } catch (e) { document.getElementById('charts').innerHTML = `<p class="empty">${esc(e.message)}</p>`; return; }
    const since = Date.now() - Number(document.getElementById('metrics-window').value) * 1000;
    const label = s => [s.resource, ...s.attributes.map(a => `${a.key}=${a.value}`)].join(' ');
    const series = view.series.map(s => ({ label: label(s), points: s.points.filter(p => p.t >= since) })).filter(s => s.points.length);
    const unit = view.unit ? ` (${view.unit})` : '';
    let charts = '';
    if (view.plot === 'percentiles') {
      // Health probes are the steadiest traffic of all; the requests people make come first.
      const probe = s => /http\.route=\/(health|alive)\b/.test(s.label);
      const busiest = series.map(s => ({ ...s, total: s.points.reduce((a, p) => a + (p.count ?? 0), 0) })).sort((a, b) => probe(a) - probe(b) || b.total - a.total).slice(0, 3);
      const lines = busiest.flatMap(s => ['p50', 'p90', 'p99'].map(q => ({ label: `${q} ${s.label}`, points: s.points.filter(p => p[q] != null).map(p => ({ t: p.t, v: p[q] })) })));
      charts += svgChart(`${view.name}: percentiles${unit}`, lines);
      const rates = busiest.map(s => ({ label: s.label, points: s.points.slice(1).map((p, i) => ({ t: p.t, v: (p.count ?? 0) / Math.max(0.001, (p.t - s.points[i].t) / 1000) })) }));
      charts += svgChart(`${view.name}: recordings per second`, rates);
    } else {
      const field = view.plot === 'rate' ? 'rate' : 'value';
      const lines = series.slice(0, 12).map(s => ({ label: s.label, points: s.points.filter(p => p[field] != null).map(p => ({ t: p.t, v: p[field] })) }));
      charts += svgChart(`${view.name}${view.plot === 'rate' ? ': per second' : ''}${unit}`, lines);
    }
    document.getElementById('charts').innerHTML = `<div class="muted">${esc(view.meter)} · ${esc(view.kind)}${view.temporality !== 'Unspecified' ? ' · ' + esc(view.temporality) : ''} · ${esc(view.description)}</div>${charts}`;
  },
};

function svgChart(title, lines) {
  const w = 900, h = 260, left = 56, right = 12, top = 12, bottom = 24;
  const all = lines.flatMap(l => l.points);
  if (!all.length) return `<div class="chart"><h2>${esc(title)}</h2><p class="empty">No points in this window yet.</p></div>`;
  const t0 = Math.min(...all.map(p => p.t)), t1 = Math.max(t0 + 1000, ...all.map(p => p.t));
  const vmax = Math.max(...all.map(p => p.v), 0) * 1.1 || 1, vmin = Math.min(0, ...all.map(p => p.v));
  const x = t => left + (w - left - right) * (t - t0) / (t1 - t0), y = v => top + (h - top - bottom) * (1 - (v - vmin) / (vmax - vmin));
  let grid = '';
  for (let i = 0; i <= 4; i++) { const v = vmin + (vmax - vmin) * i / 4; grid += `<line x1="${left}" x2="${w - right}" y1="${y(v)}" y2="${y(v)}" stroke="#eaeef2"/><text x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${fmtNum(v)}</text>`; }
  for (let i = 0; i <= 4; i++) { const t = t0 + (t1 - t0) * i / 4; grid += `<text x="${x(t)}" y="${h - 6}" text-anchor="middle">${new Date(t).toLocaleTimeString(undefined, { hour12: false })}</text>`; }
  const paths = lines.map((l, i) => `<polyline fill="none" stroke-width="1.75" stroke="${palette[i % palette.length]}" points="${l.points.map(p => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ')}"/>`).join('');
  const legend = lines.map((l, i) => `<span><span style="color:${palette[i % palette.length]}">━</span> ${esc(l.label)} <strong>${fmtNum(l.points.at(-1)?.v)}</strong></span>`).join('');
  return `<div class="chart"><h2>${esc(title)}</h2><svg viewBox="0 0 ${w} ${h}" width="100%" role="img" aria-label="${esc(title)}">${grid}${paths}</svg><div class="legend">${legend}</div></div>`;
}

// ---- Routing ------------------------------------------------------------------------------------------------------
async function route() {
  const [path] = location.hash.replace(/^#\/?/, '').split('?');
  const [name, id] = path.split('/');
  const next = { console: consolePage, logs: logsPage, traces: id ? tracePage : tracesPage, metrics: metricsPage }[name] ?? resourcesPage;
  if (!name) history.replaceState(null, '', '#/resources');
  navigation++;
  current = null;
  document.querySelectorAll('header nav a').forEach(a => a.classList.toggle('active', a.dataset.page === next.title));
  try {
    await next.render(id);
    current = next;
    connect(next.events?.() ?? null);
  } catch (e) { if (!(e instanceof Stale)) page.innerHTML = `<p class="error-text">${esc(e.message)}</p>`; }
}
window.addEventListener('unhandledrejection', e => { if (e.reason instanceof Stale) e.preventDefault(); });
window.addEventListener('hashchange', route);
route();
