// The Pulse console's page: logs in, follows the cluster through server-sent events
// (/api/stream: a new snapshot within a second of a change) and carries out changes through
// /api/action, which runs the node's pcs. Every text from the cluster goes into the page as
// text (textContent), never as HTML.
'use strict';

const state = { csrf: '', user: '', node: '', snap: null, view: 'overview', source: null, agents: [], agent: null };
const $ = (id) => document.getElementById(id);

// h('td', {class: 'x', onclick: f}, child...): an element; strings become text nodes.
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else if (v !== false && v !== null && v !== undefined) el.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : String(c));
  return el;
}

async function api(path, body) {
  const init = body === undefined ? {} : {
    method: 'POST', body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': state.csrf } };
  const r = await fetch(path, init);
  let data = {};
  try { data = await r.json(); } catch (e) { data = { error: r.statusText }; }
  if (r.status === 401 && path !== '/api/login') { showLogin(); }
  return { status: r.status, data };
}

function showLogin(message) {
  // A request still in flight at log out answers 401 after it: it must not wipe 'logged out'.
  const keepMessage = message === undefined && !$('login').hidden;
  if (state.source) { state.source.close(); state.source = null; }
  // Nothing of the last session stays in the page for the next user to see.
  state.snap = null; state.transitions = null;
  $('view').replaceChildren(); $('notice').hidden = true; $('who').replaceChildren();
  $('main').hidden = true; $('login').hidden = false;
  if (!keepMessage) $('login-error').textContent = message || '';
  $('login-password').focus();
}

function showMain(session) {
  state.csrf = session.csrf; state.user = session.user;
  state.node = session.node;
  showWho();
  $('login').hidden = true; $('main').hidden = false;
  follow();
  loadAgents();
}

// Who is logged in, on which node, and (from the snapshot) whether the CIB's ACLs limit
// what this user sees and may change.
function showWho() {
  const limited = state.snap && state.snap.acl_limited;
  $('who').replaceChildren('Logged in as ', h('b', { 'data-testid': 'user' }, state.user), ' on ' + state.node,
    limited ? h('span', { class: 'warn', title: 'the CIB\'s ACLs decide what this user sees and may change' }, ' (rights limited by ACLs)') : null);
}

function follow() {
  if (state.source) state.source.close();
  const source = new EventSource('/api/stream');
  state.source = source;
  source.addEventListener('snapshot', (e) => {
    state.snap = JSON.parse(e.data);
    state.snap.cibDoc = state.snap.cib ? new DOMParser().parseFromString(state.snap.cib, 'application/xml') : null;
    setLive(true);
    showWho();
    if (state.view === 'transitions') loadTransitions(); else state.transitions = null;
    render();
  });
  source.onopen = () => setLive(true);
  source.onerror = async () => {
    setLive(false);
    // A closed stream may mean the session ended: ask, and show the login when it did.
    const r = await api('/api/session');
    if (r.status === 200) state.csrf = r.data.csrf;
  };
}

function setLive(on) {
  $('live').className = 'live ' + (on ? 'on' : 'off');
  $('live').textContent = on ? 'live' : 'reconnecting';
}

async function act(body, confirmText) {
  if (confirmText && !window.confirm(confirmText)) return false;
  const r = await api('/api/action', body);
  const n = $('notice');
  n.hidden = false;
  n.className = r.status === 200 ? '' : 'failed';
  n.dataset.testid = 'notice';
  // A change the ACLs refuse says so first, in words, above pcs's own message.
  const denied = r.status !== 200 && /Permission denied/.test(r.data.error || '');
  n.textContent = (denied ? 'Not permitted: the ACLs do not let ' + state.user + ' make this change.\n' : '') +
    (r.data.command ? '$ ' + r.data.command + '\n' : '') + (r.data.output || '') + (r.data.error || '');
  return r.status === 200;
}

// --- what the CIB says -------------------------------------------------------------------
function cibAll(selector) { return state.snap && state.snap.cibDoc ? [...state.snap.cibDoc.querySelectorAll(selector)] : []; }
function nvpairs(parent) { return parent ? [...parent.querySelectorAll(':scope > nvpair')].map((p) => [p.getAttribute('name'), p.getAttribute('value')]) : []; }
function properties() {
  const out = [];
  for (const set of cibAll('crm_config > cluster_property_set')) for (const [n, v] of nvpairs(set)) out.push({ set: set.getAttribute('id'), name: n, value: v });
  return out;
}
function property(name, fallback) { const p = properties().find((x) => x.name === name); return p ? p.value : fallback; }
function fenceDevices() { return cibAll('resources primitive[class="stonith"]'); }
function leftovers() { return cibAll('constraints > rsc_location').filter((c) => /^cli-(prefer|ban)-/.test(c.getAttribute('id'))); }

// --- views -------------------------------------------------------------------------------
const views = {
  overview() {
    const s = state.snap, st = s.status || {};
    const nodes = st.nodes || [];
    const issues = [];
    if (s.status_error) issues.push(['bad', 'pcs status: ' + s.status_error]);
    if (!s.cluster_running) issues.push(['bad', 'the cluster is not running on this node']);
    if (!s.quorate) issues.push(['bad', 'this partition has no quorum: resources are stopped']);
    if (/^(true|yes|on|1)$/i.test(property('stonith-enabled', 'true')) && fenceDevices().length === 0) issues.push(['warn', 'no fencing configured (stonith-enabled is true and there is no fence device)']);
    for (const m of s.members || []) if (!m.in_view) issues.push(['bad', 'node ' + m.name + ' is offline']);
    for (const n of st.out_of_date_nodes || []) issues.push(['warn', 'out of date: ' + n]);
    // f.text: pcs status's readable line ('vip: start on n2 failed: ... 2 attempts').
    for (const f of st.failed_actions || []) issues.push(['bad', f.text ? f.text : 'failed action ' + f.operation + ' on ' + f.node + ': ' + f.rc_text + (f.exit_reason ? ' (' + f.exit_reason + ')' : '')]);
    for (const c of leftovers()) issues.push(['warn', 'constraint ' + c.getAttribute('id') + ' left by a move or ban (Clear on the resource removes it)']);
    const count = (list) => list.reduce((n, r) => n + (r.members ? count(r.members) : (r.agent || '').startsWith('stonith:') ? 0 : 1), 0);
    return [
      h('div', { class: 'cards' },
        h('div', { class: 'card' }, 'Cluster', h('b', { 'data-testid': 'cluster-name' }, st.cluster_name || '-')),
        h('div', { class: 'card' }, 'DC', h('b', { 'data-testid': 'dc' }, s.dc || st.dc || 'none')),
        h('div', { class: 'card' }, 'Quorum', h('b', { class: s.quorate ? 'ok' : 'bad' }, s.quorate ? 'quorate' : 'no quorum')),
        h('div', { class: 'card' }, 'Nodes online', h('b', {}, nodes.filter((n) => n.online).length + ' / ' + nodes.length)),
        h('div', { class: 'card' }, 'Resources', h('b', {}, count(st.resources || []))),
        h('div', { class: 'card' }, 'CIB', h('b', {}, s.cib_version || '-'))),
      h('h3', {}, 'Issues'),
      issues.length ? h('ul', { class: 'issues', 'data-testid': 'issues' }, issues.map(([k, t]) => h('li', { class: k }, t))) : h('p', { class: 'ok' }, 'none'),
      h('h3', {}, 'Resources'), resourceTable(false)];
  },
  nodes() {
    const s = state.snap, st = s.status || {};
    const rows = (s.members || []).map((m) => {
      const n = (st.nodes || []).find((x) => x.name === m.name) || {};
      return h('tr', { 'data-node': m.name },
        h('td', {}, m.name, m.local ? h('span', { class: 'muted' }, ' (this node)') : null),
        h('td', { class: m.in_view ? 'ok' : 'bad' }, m.in_view ? 'online' : 'offline'),
        h('td', {}, n.standby ? 'standby' : ''), h('td', {}, n.maintenance ? 'maintenance' : ''),
        h('td', {}, h('div', { class: 'actions' },
          h('button', { onclick: () => act({ action: n.standby ? 'node-unstandby' : 'node-standby', node: m.name }) }, n.standby ? 'Unstandby' : 'Standby'),
          h('button', { onclick: () => act({ action: n.maintenance ? 'node-unmaintenance' : 'node-maintenance', node: m.name }) }, n.maintenance ? 'End maintenance' : 'Maintenance'),
          m.in_view ? h('button', { class: 'danger', onclick: () => act({ action: 'node-stop', node: m.name }, 'Stop the cluster on ' + m.name + '? Its resources move away.') }, 'Stop')
            : h('button', { onclick: () => act({ action: 'node-start', node: m.name }) }, 'Start'))));
    });
    return h('table', {}, h('tr', {}, ['Node', 'Membership', 'Standby', 'Maintenance', ''].map((t) => h('th', {}, t))), rows);
  },
  resources() { return [createForm(), resourceTable(true)]; },
  fencing() {
    const devices = fenceDevices();
    if (!devices.length) return h('p', { class: 'warn' }, 'No fence device is configured. Without fencing a node that stops answering cannot be made safe; create one with pcs stonith create.');
    return h('table', {}, h('tr', {}, ['Device', 'Agent', 'Parameters', 'Runs on'].map((t) => h('th', {}, t))),
      devices.map((d) => {
        const r = findResource(d.getAttribute('id'));
        return h('tr', {}, h('td', {}, d.getAttribute('id')), h('td', {}, 'stonith:' + d.getAttribute('type')),
          h('td', {}, nvpairs(d.querySelector(':scope > instance_attributes')).map(([n, v]) => h('div', {}, h('code', {}, n + '=' + v)))),
          h('td', {}, r ? (r.nodes || []).join(', ') || 'Stopped' : ''));
      }));
  },
  constraints() {
    const rows = cibAll('constraints > *').map((c) => {
      const id = c.getAttribute('id'), a = (n) => c.getAttribute(n);
      let what = '';
      if (c.tagName === 'rsc_location') what = a('rsc') + (a('score') && a('score').startsWith('-') ? ' avoids ' : ' prefers ') + (a('node') || 'a rule') + ' (' + (a('score') || '') + ')';
      else if (c.tagName === 'rsc_colocation') what = a('rsc') + ' with ' + a('with-rsc') + ' (' + a('score') + ')';
      else if (c.tagName === 'rsc_order') what = (a('first-action') || 'start') + ' ' + a('first') + ' then ' + (a('then-action') || 'start') + ' ' + a('then');
      else what = c.tagName;
      const leftover = /^cli-(prefer|ban)-/.test(id);
      return h('tr', { class: leftover ? 'leftover' : '', 'data-constraint': id },
        h('td', {}, c.tagName.replace('rsc_', '')), h('td', {}, what), h('td', {}, h('code', {}, id), leftover ? h('div', { class: 'warn' }, 'left by move/ban') : null),
        h('td', {}, h('button', { class: 'danger', onclick: () => act({ action: 'constraint-delete', id }, 'Delete constraint ' + id + '?') }, 'Delete')));
    });
    return [constraintForm(), rows.length ? h('table', {}, h('tr', {}, ['Type', 'Constraint', 'Id', ''].map((t) => h('th', {}, t))), rows) : h('p', { class: 'muted' }, 'No constraints.')];
  },
  properties() {
    const rows = properties().map((p) => {
      // The same input across snapshots, so an edit in progress survives a live update.
      const input = kept('prop:' + p.name, () => h('input', { 'aria-label': p.name }));
      if (input !== document.activeElement) input.value = p.value || '';
      return h('tr', {}, h('td', {}, p.name), h('td', {}, input),
        h('td', {}, h('button', { onclick: () => act({ action: 'property-set', name: p.name, value: input.value }) }, 'Save')));
    });
    const add = kept('prop-add', () => {
      const name = h('input', { placeholder: 'name' }), value = h('input', { placeholder: 'value' });
      return h('form', { class: 'inline', onsubmit: (e) => { e.preventDefault(); act({ action: 'property-set', name: name.value, value: value.value }); } },
        h('label', {}, 'Property', name), h('label', {}, 'Value', value), h('button', { type: 'submit' }, 'Set'));
    });
    return [h('table', {}, h('tr', {}, ['Property', 'Value', ''].map((t) => h('th', {}, t))), rows), add];
  },
  transitions() {
    const list = state.transitions;
    if (!list) { loadTransitions(); return h('p', { class: 'muted' }, 'Loading...'); }
    if (!list.length) return h('p', { class: 'muted' }, 'This node saved no transitions: only the DC does' + (state.snap.dc ? ' (' + state.snap.dc + ')' : '') + '; open its console to see them.');
    return list.map((t) => h('section', { 'data-testid': 'transition' },
      h('h3', {}, t.input + (t.at_ms ? ' \u2014 ' + new Date(t.at_ms).toLocaleString() : '')),
      t.error ? h('p', { class: 'bad' }, t.error) : [
        h('ul', {}, (t.summary.length ? t.summary : ['nothing to do']).map((line) => h('li', {}, line))),
        t.actions.length ? graph(t) : null]));
  },
  events() {
    const events = [...(state.snap.events || [])].reverse();
    return h('table', { 'data-testid': 'events' }, h('tr', {}, ['Time', 'Kind', 'Event', 'By'].map((t) => h('th', {}, t))),
      events.map((e) => h('tr', {}, h('td', {}, new Date(e.at_ms).toLocaleString()), h('td', {}, e.kind), h('td', {}, e.text), h('td', {}, e.who))));
  },
};

// A transition as a graph: each action a box, in columns by how many actions must come
// before it (its longest path from a start), arrows for the engine's orderings.
function graph(t) {
  const NS = 'http://www.w3.org/2000/svg';
  const svg = (tag, attrs, text) => {
    const el = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    if (text) el.textContent = text;
    return el;
  };
  const actions = t.actions.slice(0, 80);
  const ids = new Set(actions.map((a) => a.id));
  const edges = t.orderings.filter(([a, b]) => ids.has(a) && ids.has(b));
  const depth = new Map(actions.map((a) => [a.id, 0]));
  // Actions come in an order consistent with the orderings, so one pass in a loop settles.
  for (let changed = true, rounds = 0; changed && rounds < actions.length; rounds++) {
    changed = false;
    for (const [a, b] of edges) if (depth.get(b) < depth.get(a) + 1) { depth.set(b, depth.get(a) + 1); changed = true; }
  }
  const rows = new Map(), pos = new Map();
  for (const a of actions) {
    const d = depth.get(a.id), r = rows.get(d) || 0;
    rows.set(d, r + 1);
    pos.set(a.id, { x: 10 + d * 210, y: 10 + r * 36 });
  }
  const width = 10 + (Math.max(...depth.values()) + 1) * 210, height = 10 + Math.max(...rows.values()) * 36;
  const root = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img' });
  root.append(svg('defs', {}));
  root.firstChild.append(Object.assign(svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto' }), {}));
  root.firstChild.firstChild.append(svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#5f6b7a' }));
  for (const [a, b] of edges) {
    const p = pos.get(a), q = pos.get(b);
    root.append(svg('line', { x1: p.x + 180, y1: p.y + 13, x2: q.x, y2: q.y + 13, stroke: '#5f6b7a', 'marker-end': 'url(#arrow)' }));
  }
  for (const a of actions) {
    const p = pos.get(a.id);
    const label = (a.resource ? a.resource + ' ' : '') + a.task + (a.node ? ' on ' + a.node : '');
    root.append(svg('rect', { x: p.x, y: p.y, width: 180, height: 26, rx: 4, fill: a.pseudo ? '#eef1f4' : '#fff', stroke: a.pseudo ? '#d8dde3' : '#2457c5' }));
    root.append(svg('text', { x: p.x + 6, y: p.y + 17 }, label.length > 30 ? label.slice(0, 29) + '\u2026' : label));
  }
  return root;
}

async function loadTransitions() {
  if (state.loadingTransitions) return;
  state.loadingTransitions = true;
  const r = await api('/api/transitions');
  state.loadingTransitions = false;
  state.transitions = r.status === 200 ? r.data.transitions : [];
  if (state.view === 'transitions') render();
}

function findResource(id, list) {
  for (const r of list || (state.snap.status || {}).resources || []) {
    if (r.id === id) return r;
    const inner = r.members ? findResource(id, r.members) : null;
    if (inner) return inner;
  }
  return null;
}

function resourceTable(withActions) {
  const st = state.snap.status || {};
  const nodes = (st.nodes || []).map((n) => n.name);
  const rows = [];
  const walk = (r, depth, top) => {
    const where = r.type === 'primitive' ? (r.nodes || []).join(', ') : '';
    const role = r.type === 'primitive' ? r.role : r.type;
    const cls = r.failed ? 'bad' : r.role === 'Stopped' ? 'warn' : 'ok';
    const cells = [h('td', { style: null }, '\u00a0\u00a0'.repeat(depth) + (depth ? '\u2514 ' : '') + r.id),
      h('td', {}, r.agent || ''), h('td', { class: r.type === 'primitive' ? cls : 'muted', 'data-testid': 'role-' + r.id }, role + (r.disabled ? ' (disabled)' : '')),
      h('td', { 'data-testid': 'where-' + r.id }, where)];
    if (withActions) cells.push(h('td', {}, top && !/:\d+$/.test(r.id) ? resourceActions(r, nodes) : null));
    rows.push(h('tr', { 'data-resource': r.id }, cells));
    if (r.type === 'group') for (const m of r.members || []) walk(m, depth + 1, false);
    // A clone's instances: one line each (rsc:0, rsc:1 ...).
    if (r.type === 'clone') for (const m of r.members || []) walk(m, depth + 1, false);
  };
  for (const r of st.resources || []) if (!(r.agent || '').startsWith('stonith:')) walk(r, 0, true);
  const head = ['Resource', 'Agent', 'State', 'Where'].concat(withActions ? [''] : []);
  return h('table', { class: 'tree', 'data-testid': 'resources' }, h('tr', {}, head.map((t) => h('th', {}, t))), rows);
}

function resourceActions(r, nodes) {
  const target = kept('target:' + r.id + ':' + nodes.join(','), () => h('select', { 'aria-label': 'node for ' + r.id },
    h('option', { value: '' }, '(any other)'), nodes.map((n) => h('option', { value: n }, n))));
  const disabled = r.disabled || (r.members || []).some((m) => m.disabled);
  return h('div', { class: 'actions' },
    h('button', { onclick: () => act({ action: disabled ? 'resource-enable' : 'resource-disable', id: r.id }) }, disabled ? 'Enable' : 'Disable'),
    target,
    h('button', { 'data-testid': 'move-' + r.id, onclick: () => act({ action: 'resource-move', id: r.id, node: target.value }) }, 'Move'),
    h('button', { 'data-testid': 'ban-' + r.id, onclick: () => act({ action: 'resource-ban', id: r.id, node: target.value }) }, 'Ban'),
    h('button', { onclick: () => act({ action: 'resource-clear', id: r.id }) }, 'Clear'),
    h('button', { onclick: () => act({ action: 'resource-cleanup', id: r.id }) }, 'Cleanup'),
    h('button', { 'data-testid': 'why-' + r.id, title: 'why it runs where it does, or does not run (on the node chosen)', onclick: () => act({ action: 'resource-why', id: r.id, node: target.value }) }, 'Why?'),
    h('button', { class: 'danger', onclick: () => act({ action: 'resource-delete', id: r.id }, 'Delete resource ' + r.id + '?') }, 'Delete'));
}

// A new constraint: location (prefers/avoids a node), colocation or order, as pcs makes them.
function constraintForm() {
  return kept('constraint-form', () => {
    const kind = h('select', {}, ['prefers', 'avoids', 'colocated with', 'then'].map((k) => h('option', { value: k }, k)));
    const a = h('input', { placeholder: 'resource', required: true }), b = h('input', { placeholder: 'node or resource', required: true });
    const score = h('input', { placeholder: 'score (optional)', size: 10 });
    return h('form', { class: 'inline', onsubmit: (e) => {
      e.preventDefault();
      const k = kind.value;
      const body = k === 'then' ? { action: 'constraint-order', first: a.value, then: b.value }
        : k === 'colocated with' ? { action: 'constraint-colocation', rsc: a.value, with: b.value, score: score.value }
          : { action: 'constraint-location', rsc: a.value, node: b.value, score: score.value, avoids: k === 'avoids' };
      act(body);
    } }, h('label', {}, 'Resource', a), h('label', {}, 'Kind', kind), h('label', {}, 'Node or resource', b), h('label', {}, 'Score', score), h('button', { type: 'submit' }, 'Add constraint'));
  });
}

// Elements that live across snapshots (forms being filled in), by key.
const keptElements = new Map();
function kept(key, make) {
  if (!keptElements.has(key)) keptElements.set(key, make());
  return keptElements.get(key);
}

// The create form: the agent's parameters from its meta-data, required ones first. Built once
// per agent, so what is typed survives live updates.
function createForm() {
  return kept('create:' + (state.agent ? state.agent.agent : ''), buildCreateForm);
}
function buildCreateForm() {
  const agentSelect = h('select', { id: 'create-agent', onchange: async () => { await loadAgent(agentSelect.value); render(); } },
    state.agents.map((a) => h('option', { value: a, selected: state.agent && state.agent.agent === a }, a)));
  const id = h('input', { id: 'create-id', placeholder: 'resource id', required: true });
  const params = state.agent ? [...state.agent.parameters].sort((a, b) => b.required - a.required).slice(0, 12) : [];
  const inputs = params.map((p) => h('input', { name: p.name, 'data-param': p.name, placeholder: p.default || '', required: p.required, title: p.shortdesc }));
  return h('form', { class: 'inline', id: 'create-form', onsubmit: async (e) => {
    e.preventDefault();
    const values = {};
    for (const input of inputs) if (input.value) values[input.name] = input.value;
    if (await act({ action: 'resource-create', id: id.value, agent: agentSelect.value, params: values })) {
      id.value = '';
      for (const input of inputs) input.value = '';
    }
  } }, h('label', {}, 'New resource', id), h('label', {}, 'Agent', agentSelect),
  params.map((p, i) => h('label', {}, p.name + (p.required ? ' *' : ''), inputs[i])), h('button', { type: 'submit', id: 'create-submit' }, 'Create'));
}

async function loadAgent(name) {
  const r = await api('/api/agent?name=' + encodeURIComponent(name));
  state.agent = r.status === 200 ? r.data : null;
}

function render() {
  if (!state.snap) return;
  const st = state.snap.status || {};
  $('cluster-name').textContent = st.cluster_name || '';
  for (const b of document.querySelectorAll('#tabs button')) b.classList.toggle('active', b.dataset.view === state.view);
  // Forms being filled in are kept elements (kept()): replacing the view moves them, and a
  // moved element keeps its value but loses focus, so focus is put back.
  const active = document.activeElement;
  $('view').replaceChildren(...[].concat(views[state.view]()));
  if (active && active !== document.activeElement && $('view').contains(active)) active.focus();
}

async function start() {
  $('login-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const r = await api('/api/login', { username: $('login-user').value, password: $('login-password').value });
    $('login-password').value = '';
    if (r.status === 200) showMain(r.data); else showLogin(r.data.error || 'login failed');
  });
  $('logout').addEventListener('click', async () => { await api('/api/logout', {}); showLogin('logged out'); });
  for (const b of document.querySelectorAll('#tabs button')) b.addEventListener('click', () => { state.view = b.dataset.view; render(); });
  const r = await api('/api/session');
  if (r.status === 200) showMain(r.data); else showLogin();
}

// The agents this node has, for the create form (once per login).
async function loadAgents() {
  const r = await api('/api/agents');
  state.agents = r.status === 200 ? r.data.agents || [] : [];
  const preferred = state.agents.includes('ocf:heartbeat:IPaddr2') ? 'ocf:heartbeat:IPaddr2' : state.agents[0];
  if (preferred) await loadAgent(preferred);
  render();
}

document.addEventListener('DOMContentLoaded', start);
