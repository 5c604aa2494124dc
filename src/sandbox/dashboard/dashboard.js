// The sandbox's dashboards: reads GET state and GET requests beside this page, and drives the control panel's
// POST calls, POST faults, DELETE faults and PUT traffic. Data is only ever written as text (never as HTML).
'use strict';

const $ = (selector) => document.querySelector(selector);

function row(cells) {
  const tr = document.createElement('tr');
  for (const cell of cells) {
    const td = document.createElement('td');
    td.textContent = cell === null || cell === undefined || cell === '' ? '—' : String(cell);
    tr.append(td);
  }
  return tr;
}

function fill(tableSelector, rows, empty) {
  const body = $(`${tableSelector} tbody`);
  const columns = $(`${tableSelector} thead tr`).children.length;
  if (rows.length === 0) {
    const tr = document.createElement('tr');
    const td = document.createElement('td');
    td.colSpan = columns;
    td.textContent = empty;
    tr.append(td);
    body.replaceChildren(tr);
  } else body.replaceChildren(...rows.map(row));
}

function say(text) {
  $('#status').textContent = text;
}

async function send(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : null;
  if (!response.ok) throw new Error((parsed && JSON.stringify(parsed.message)) || response.statusText);
  return parsed;
}

function routing(number) {
  if (number.trunk_sid) return `trunk ${number.trunk_sid}`;
  return number.voice_url;
}

function renderState(state) {
  $('#twilio-account').textContent = state.twilio.accountSid;
  fill(
    '#twilio-numbers',
    state.twilio.incomingPhoneNumbers.map((n) => [
      n.phone_number,
      n.sid,
      n.friendly_name,
      routing(n),
      n.date_created,
    ]),
    'The account owns no number yet.',
  );
  $('#twilio-released').textContent = `Released: ${state.twilio.released.length}.`;

  const assistants = new Map(state.vapi.assistants.map((a) => [a.id, a]));
  $('#vapi-org').textContent = state.vapi.orgId;
  fill(
    '#vapi-numbers',
    state.vapi.phoneNumbers.map((n) => [
      n.number ?? n.sipUri,
      n.id,
      n.provider,
      n.assistantId ? (assistants.get(n.assistantId)?.name ?? n.assistantId) : 'none (assistant request)',
      n.server?.url,
      n.status,
    ]),
    'The organization has no phone number yet.',
  );
  fill(
    '#vapi-assistants',
    state.vapi.assistants.map((a) => [a.name, a.id, a.server?.url]),
    'No assistant.',
  );

  const numberOf = new Map(state.vapi.phoneNumbers.map((n) => [n.id, n.number ?? n.sipUri]));
  const select = $('#call-to');
  const chosen = select.value;
  const numbers = state.vapi.phoneNumbers.filter((n) => n.number).map((n) => n.number);
  if (numbers.join() !== [...select.options].map((o) => o.value).join()) {
    select.replaceChildren(
      ...numbers.map((number) => {
        const option = document.createElement('option');
        option.value = option.textContent = number;
        return option;
      }),
    );
    if (numbers.includes(chosen)) select.value = chosen;
  }
  $('#call-form button').disabled = numbers.length === 0;
  select.title = numbers.length === 0 ? 'The organization has no phone number yet' : '';
  fill(
    '#calls',
    [...state.calls]
      .reverse()
      .map((c) => [
        numberOf.get(c.call.phoneNumberId) ?? c.call.phoneNumberId,
        c.call.customer?.number,
        c.endedReason,
        c.deliveries.map((d) => `${d.type} ${d.status ?? d.error ?? 'unreachable'}`).join(', '),
      ]),
    'No call yet.',
  );

  fill(
    '#fault-list',
    state.faults.map((f) => [
      f.provider,
      f.method ?? 'any',
      f.path ?? '*',
      f.drop ? 'drop' : [f.status, f.latencyMs ? `after ${f.latencyMs} ms` : ''].filter(Boolean).join(' '),
      f.hits,
      f.times === undefined ? 'unlimited' : Math.max(0, f.times - f.hits),
    ]),
    'No fault: every request is answered normally.',
  );
  for (const provider of ['twilio', 'vapi']) {
    const input = $(`#latency-${provider}`);
    if (document.activeElement !== input) input.value = state.traffic[provider].latencyMs;
  }
}

function time(ms) {
  const date = new Date(ms);
  return `${date.toLocaleTimeString([], { hour12: false })}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

/**
 * The requests the emulators received and, for each simulated call, what Vapi sent the service's webhook (the
 * traffic a real call makes), newest first.
 */
function renderRequests(requests, calls) {
  const rows = requests.map((r) => ({
    at: r.startedAt,
    cells: [
      time(r.startedAt),
      r.provider,
      `${r.method} ${r.path}`,
      r.status ?? 'in flight',
      r.endedAt === null ? '' : Math.round(r.endedAt - r.startedAt),
    ],
  }));
  for (const c of calls) {
    const at = Date.parse(c.call.createdAt);
    c.deliveries.forEach((d, i) =>
      rows.push({
        at: at + i / 1000,
        cells: [
          time(at),
          'vapi → service',
          `call ${c.call.id}: POST ${new URL(d.url).pathname} (${d.type})`,
          d.status ?? d.error ?? 'unreachable',
          '',
        ],
      }),
    );
  }
  rows.sort((a, b) => b.at - a.at);
  fill(
    '#request-log',
    rows.map((r) => r.cells),
    'No request yet.',
  );
}

async function refresh() {
  try {
    const [state, requests] = await Promise.all([
      send('GET', 'state?inventory=false'),
      send('GET', 'requests'),
    ]);
    renderState(state);
    renderRequests(requests, state.calls);
  } catch (error) {
    say(`Cannot read the sandbox: ${error.message}`);
  }
}

async function act(what, action) {
  try {
    const result = await action();
    say(what(result));
  } catch (error) {
    say(`Failed: ${error.message}`);
  }
  await refresh();
}

function fault(spec) {
  return act(
    (f) => `Fault ${f.id} injected: ${f.provider} ${f.method ?? 'any'} ${f.path ?? '*'} answers ${f.status}.`,
    () => send('POST', 'faults', spec),
  );
}

document.addEventListener('DOMContentLoaded', () => {
  $('#call-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const to = $('#call-to').value;
    const from = $('#call-from').value.trim();
    void act(
      (call) =>
        `Call to ${to} ended (${call.endedReason}); webhooks: ${call.deliveries.map((d) => `${d.type} ${d.status}`).join(', ')}.`,
      () => send('POST', 'calls', from ? { to, from } : { to }),
    );
  });
  $('#fault-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(event.target);
    const spec = { provider: data.get('provider'), status: Number(data.get('status')) };
    if (data.get('method')) spec.method = data.get('method');
    if (data.get('path')) spec.path = data.get('path');
    if (data.get('times')) spec.times = Number(data.get('times'));
    void fault(spec);
  });
  $('#preset-vapi-503').addEventListener('click', () =>
    fault({ provider: 'vapi', method: 'POST', path: '/phone-number', status: 503, times: 2 }),
  );
  $('#preset-twilio-500').addEventListener('click', () =>
    fault({ provider: 'twilio', method: 'POST', path: '*IncomingPhoneNumbers*', status: 500, times: 1 }),
  );
  $('#clear-faults').addEventListener('click', () =>
    act(
      () => 'Faults cleared.',
      () => send('DELETE', 'faults'),
    ),
  );
  $('#traffic-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(event.target);
    void act(
      (t) => `Latency: Twilio ${t.twilio.latencyMs} ms, Vapi ${t.vapi.latencyMs} ms.`,
      () =>
        send('PUT', 'traffic', {
          twilio: { latencyMs: Number(data.get('twilio')) },
          vapi: { latencyMs: Number(data.get('vapi')) },
        }),
    );
  });
  void refresh();
  setInterval(() => void refresh(), 1000);
});
