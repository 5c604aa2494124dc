// The console: signs in with a bearer token, then drives the API of this origin. Everything shown is written as
// text (never as HTML). The token lives in this tab's sessionStorage, and in the numbers_token cookie (Path
// /api/numbers, SameSite=Strict) for the one route an EventSource opens, the number's events.
'use strict';

const $ = (selector) => document.querySelector(selector);
const TOKEN_KEY = 'numbers.token';
const STEP_NAMES = ['purchase', 'register', 'activate'];
const FINAL = new Set(['active', 'failed', 'refused', 'released']);
const state = { session: null, projectId: null, agents: [], stream: null, watching: null };

class ApiError extends Error {
  constructor(status, body) {
    super((body && (body.detail || body.message || body.title)) || `HTTP ${status}`);
    this.status = status;
    this.code = body && body.code;
    this.body = body;
  }
}

async function api(method, path, body, headers = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const response = await fetch(path, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : null;
  if (!response.ok) throw new ApiError(response.status, parsed);
  return parsed;
}

function say(text) {
  $('#status').textContent = text;
}

function failed(error) {
  say(error.code ? `${error.code}: ${error.message}` : `Failed: ${error.message}`);
  if (error.status === 401)
    signOut('Your token was refused (expired, or not for this service): sign in again.');
}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

function option(value, label) {
  return el('option', { value, textContent: label });
}

// --- Signing in --------------------------------------------------------------------------------------------

function setToken(token) {
  const secure = location.protocol === 'https:' ? '; Secure' : '';
  if (token) {
    sessionStorage.setItem(TOKEN_KEY, token);
    document.cookie = `numbers_token=${token}; Path=/api/numbers; SameSite=Strict${secure}`;
  } else {
    sessionStorage.removeItem(TOKEN_KEY);
    document.cookie = `numbers_token=; Path=/api/numbers; SameSite=Strict; Max-Age=0${secure}`;
  }
}

async function signIn(token) {
  setToken(token.trim());
  try {
    await loadProjects();
  } catch (error) {
    setToken(null);
    say(
      error.status === 401
        ? 'That token was refused (AUTH.INVALID_TOKEN).'
        : `Cannot sign in: ${error.message}`,
    );
    return;
  }
  $('#signin').hidden = true;
  $('#app').hidden = false;
  say('Signed in.');
}

function signOut(message = 'Signed out.') {
  stopWatching();
  setToken(null);
  $('#app').hidden = true;
  $('#signin').hidden = false;
  $('#token').value = '';
  say(message);
}

// --- Projects and agents -----------------------------------------------------------------------------------

async function loadProjects(select) {
  const page = await api('GET', '/api/projects?limit=100');
  const list = $('#project-select');
  list.replaceChildren(...page.items.map((p) => option(p.id, p.name)));
  $('#new-project').open = page.items.length === 0;
  if (page.items.length === 0) {
    list.append(option('', 'no project yet: create one below'));
    state.projectId = null;
  } else {
    state.projectId =
      select ?? (page.items.some((p) => p.id === state.projectId) ? state.projectId : page.items[0].id);
    list.value = state.projectId;
  }
  await Promise.all([loadAgents(), loadNumbers()]);
}

async function loadAgents(select) {
  const list = $('#agent-select');
  state.agents = state.projectId
    ? (await api('GET', `/api/projects/${state.projectId}/agents?limit=100`)).items
    : [];
  list.replaceChildren(...state.agents.map((a) => option(a.id, a.name)));
  if (state.agents.length === 0) list.append(option('', 'no agent yet: create one below'));
  else if (select) list.value = select;
  $('#new-agent').open = state.projectId !== null && state.agents.length === 0;
}

function agentName(id) {
  return state.agents.find((a) => a.id === id)?.name ?? id;
}

// --- Searching and buying ----------------------------------------------------------------------------------

async function search(areaCode) {
  const answer = await api('GET', `/api/numbers?areaCode=${encodeURIComponent(areaCode)}&limit=8`);
  const first = el('label', {}, el('input', { type: 'radio', name: 'choice', value: '', checked: true }));
  first.append(` The first available in ${areaCode}`);
  const offers = answer.numbers.map((n) => {
    const label = el(
      'label',
      {},
      el('input', { type: 'radio', name: 'choice', value: n.e164, disabled: n.addressRequired }),
    );
    const where = [n.locality, n.region].filter(Boolean).join(', ');
    label.append(
      ` ${n.friendlyName}${where ? ` (${where})` : ''}${n.addressRequired ? ': needs an address on file' : ''}`,
    );
    return label;
  });
  $('#choice-list').replaceChildren(first, ...offers);
  say(`${answer.numbers.length} numbers for sale in ${areaCode}.`);
}

async function purchase() {
  const agentId = $('#agent-select').value;
  if (!state.projectId || !agentId) return say('Pick or create a project and an agent first.');
  const chosen = document.querySelector('input[name="choice"]:checked')?.value;
  const areaCode = $('#area-code').value.trim();
  const body = { projectId: state.projectId, agentId, ...(chosen ? { number: chosen } : { areaCode }) };
  $('#purchase').disabled = true;
  try {
    // 202 as soon as the purchase is recorded; the events say the rest.
    const answer = await api('POST', '/api/numbers', body, {
      Prefer: 'respond-async',
      'Idempotency-Key': crypto.randomUUID(),
    });
    say(`Buying a number (${answer.phoneNumber.id}).`);
    watch(answer.phoneNumber);
    await loadNumbers();
  } catch (error) {
    const suggestions = error.body?.suggestions ?? [];
    failed(error);
    if (suggestions.length > 0) {
      say(`${$('#status').textContent} Try: ${suggestions.map((s) => s.friendlyName ?? s.e164).join(', ')}.`);
    }
  } finally {
    $('#purchase').disabled = false;
  }
}

// --- Live progress -----------------------------------------------------------------------------------------

const STEP_TEXT = {
  pending: (s) => (s.lastError ? `retrying after ${s.lastError.code}` : 'waiting'),
  running: (s) => `running (attempt ${s.attempts})`,
  succeeded: (s) => `done${s.attempts > 1 ? ` after ${s.attempts} attempts` : ''}`,
  failed: (s) => `failed: ${s.lastError?.code ?? 'unknown error'}`,
  skipped: () => 'not needed',
};

function drawProgress(number) {
  $('#progress').hidden = false;
  $('#progress-number').textContent = number.e164 ?? '';
  for (const name of STEP_NAMES) {
    const step = number.steps[name];
    const item = document.querySelector(`#steps li[data-step="${name}"]`);
    item.dataset.status = step.status === 'pending' && step.lastError ? 'retrying' : step.status;
    item.querySelector('.state').textContent = STEP_TEXT[step.status](step);
  }
  const summary = {
    active: `${number.e164} is live: calls reach the agent.`,
    failed: 'Provisioning failed. Retry runs the failed step again.',
    refused: 'Twilio would not sell this number: nothing was bought.',
    released: 'This number was released.',
  };
  $('#progress-summary').textContent = summary[number.status] ?? `Status: ${number.status}`;
  $('#retry').hidden = number.status !== 'failed';
}

function logEvent(type, data) {
  const text =
    type === 'step'
      ? `${data.step}: ${data.change}${data.attempt ? ` (attempt ${data.attempt})` : ''}${data.error ? `, ${data.error.code}` : ''}`
      : type === 'status'
        ? `status: ${data.status}`
        : `now: ${data.number.status}`;
  $('#event-log').append(el('li', { textContent: text }));
}

function stopWatching() {
  state.stream?.close();
  state.stream = null;
}

function watch(number) {
  stopWatching();
  state.watching = number.id;
  $('#event-log').replaceChildren();
  drawProgress(number);
  // Same origin: the browser sends the numbers_token cookie, which this route accepts in place of the header.
  const stream = new EventSource(`/api/numbers/${number.id}/events`);
  state.stream = stream;
  for (const type of ['state', 'step', 'status']) {
    stream.addEventListener(type, (event) => {
      const data = JSON.parse(event.data);
      logEvent(type, data);
      drawProgress(data.number);
      if (FINAL.has(data.number.status)) {
        stopWatching();
        say(
          data.number.status === 'active'
            ? `${data.number.e164} is live.`
            : `The number is ${data.number.status}.`,
        );
        void loadNumbers();
      }
    });
  }
  stream.addEventListener('error', () => {
    if (stream.readyState === EventSource.CLOSED)
      say('The progress stream closed; refresh the list to see where it stands.');
  });
}

// --- The project's numbers ---------------------------------------------------------------------------------

async function loadNumbers() {
  const body = $('#number-table tbody');
  if (!state.projectId) return body.replaceChildren();
  const page = await api('GET', `/api/projects/${state.projectId}/numbers?limit=100`);
  if (page.items.length === 0) {
    body.replaceChildren(el('tr', {}, el('td', { colSpan: 5, textContent: 'No number yet.' })));
    return;
  }
  body.replaceChildren(...page.items.map(numberRow));
}

function button(label, onClick, className = 'secondary') {
  const node = el('button', { type: 'button', className, textContent: label });
  node.addEventListener('click', () => Promise.resolve(onClick()).catch(failed));
  return node;
}

/** Follows a number's events until it settles, then redraws the list (a release, a restore). */
function follow(id) {
  const stream = new EventSource(`/api/numbers/${id}/events`);
  stream.addEventListener('status', (event) => {
    const { number } = JSON.parse(event.data);
    void loadNumbers();
    if (FINAL.has(number.status)) stream.close();
  });
  stream.addEventListener('error', () => stream.readyState === EventSource.CLOSED || stream.close());
}

function describeStatus(n) {
  if (n.status === 'released' && n.restorableUntil)
    return `released (restorable until ${new Date(n.restorableUntil).toLocaleString()})`;
  if (n.pendingChange?.agentId) return `${n.status}, changing to ${agentName(n.pendingChange.agentId)}`;
  return n.status;
}

function numberRow(n) {
  const actions = el('td', { className: 'row-actions' });
  const label = n.e164 ?? n.id;
  actions.append(button('Progress', () => watch(n)));
  if (n.status === 'active') {
    const choose = el('select', { ariaLabel: `New agent for ${label}` });
    choose.append(...state.agents.map((a) => option(a.id, a.name)));
    choose.value = n.pendingChange?.agentId ?? n.agentId;
    actions.append(
      choose,
      button('Change agent', async () => {
        const changed = await api('PATCH', `/api/numbers/${n.id}`, { agentId: choose.value });
        say(`${label} is changing to ${agentName(choose.value)}.`);
        await loadNumbers();
        // Vapi reads back shortly: the list then says the new agent.
        setTimeout(() => void loadNumbers().catch(failed), 1500);
        return changed;
      }),
      button('Release', async () => {
        if (!window.confirm(`Release ${label}? Calls to it stop reaching the agent.`)) return;
        const released = await api('DELETE', `/api/numbers/${n.id}`);
        say(`Releasing ${label}.`);
        follow(released.id);
        await loadNumbers();
      }),
    );
  }
  if (n.status === 'released' && n.restorableUntil) {
    actions.append(
      button('Restore', async () => {
        const restored = await api('POST', `/api/numbers/${n.id}/restore`);
        say(`Restoring ${label}.`);
        follow(restored.id);
        await loadNumbers();
      }),
    );
  }
  const row = el(
    'tr',
    {},
    el('td', { textContent: n.e164 ?? '(not bought yet)' }),
    el('td', { textContent: describeStatus(n) }),
    el('td', { textContent: agentName(n.agentId) }),
    el('td', { textContent: new Date(n.createdAt).toLocaleString() }),
    actions,
  );
  row.dataset.id = n.id;
  return row;
}

async function sync() {
  if (!state.projectId) return say('Pick a project first.');
  const result = await api('POST', '/api/numbers/sync', { projectId: state.projectId });
  const skipped = result.skipped.map((s) => `${s.number} (${s.reason})`).join(', ');
  say(
    `Synced from Vapi: ${result.imported.length} linked, ${result.updated.length} repaired, ` +
      `${result.skipped.length} left alone${skipped ? `: ${skipped}` : ''}.`,
  );
  await loadNumbers();
}

async function importNumber(form) {
  const agentId = $('#agent-select').value;
  if (!state.projectId || !agentId) return say('Pick or create a project and an agent first.');
  const data = new FormData(form);
  const source = data.get('source');
  const fields = source === 'twilio' ? ['twilioAccountSid', 'twilioAuthToken'] : ['credentialId'];
  const body = { projectId: state.projectId, agentId, number: String(data.get('number')).trim(), source };
  for (const field of fields) body[field] = String(data.get(field)).trim();
  const answer = await api('POST', '/api/numbers/import', body);
  say(`Importing ${answer.phoneNumber.e164}.`);
  watch(answer.phoneNumber);
  await loadNumbers();
}

// --- Wiring ------------------------------------------------------------------------------------------------

function on(selector, type, handler) {
  $(selector).addEventListener(type, (event) => {
    if (type === 'submit') event.preventDefault();
    Promise.resolve(handler(event)).catch(failed);
  });
}

async function start() {
  state.session = await api('GET', '/console/session');
  const { session } = state;
  $('#mode').textContent =
    session.providerMode === 'sandbox'
      ? 'Sandbox mode: numbers are bought from the local Twilio and Vapi emulators, no credentials needed.'
      : 'Live mode: numbers are bought from Twilio and registered in Vapi, and cost money.';
  if (session.developmentToken) {
    $('#use-dev-token').hidden = false;
    $('#dev-token-note').hidden = false;
  }
  if (session.sandboxDashboardUrl) {
    $('#sandbox').hidden = false;
    $('#sandbox-link').href = session.sandboxDashboardUrl;
  }
  $('#assistants').replaceChildren(...session.assistants.map((a) => option(a.id, a.name)));
  if (session.assistants[0]) $('#agent-assistant').value = session.assistants[0].id;

  on('#signin-form', 'submit', () => signIn($('#token').value));
  on('#use-dev-token', 'click', () => signIn(state.session.developmentToken));
  on('#signout', 'click', () => signOut());
  on('#project-select', 'change', async (event) => {
    state.projectId = event.target.value;
    await Promise.all([loadAgents(), loadNumbers()]);
  });
  on('#project-form', 'submit', async (event) => {
    const data = new FormData(event.target);
    const fallback = String(data.get('fallbackNumber')).trim();
    const project = await api('POST', '/api/projects', {
      name: String(data.get('name')).trim(),
      ...(fallback ? { fallbackNumber: fallback } : {}),
    });
    say(`Project "${project.name}" created.`);
    await loadProjects(project.id);
  });
  on('#agent-form', 'submit', async (event) => {
    const data = new FormData(event.target);
    const agent = await api('POST', `/api/projects/${state.projectId}/agents`, {
      name: String(data.get('name')).trim(),
      vapiAssistantId: String(data.get('vapiAssistantId')).trim(),
    });
    say(`Agent "${agent.name}" created.`);
    $('#new-agent').open = false;
    await loadAgents(agent.id);
    await loadNumbers(); // each number's agent choice
  });
  on('#search-form', 'submit', () => search($('#area-code').value.trim()));
  on('#purchase', 'click', purchase);
  on('#retry', 'click', async () => {
    const number = await api('POST', `/api/numbers/${state.watching}/retry`);
    watch(number);
  });
  on('#refresh-numbers', 'click', loadNumbers);
  on('#sync', 'click', sync);
  on('#import-form', 'submit', (event) => importNumber(event.target));
  on('#import-source', 'change', (event) => {
    $('#import-twilio').hidden = event.target.value !== 'twilio';
    $('#import-sip').hidden = event.target.value !== 'sip';
  });

  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) await signIn(token);
}

document.addEventListener('DOMContentLoaded', () => void start().catch(failed));
