'use strict';
// The administrators' webhooks and rules pages (CONTRACT §8, docs/rules.md) over the REST API,
// with the session of dashboard.js. Everything shown is set as text, never as markup.
(() => {
  const $ = (id) => document.getElementById(id);
  const { api, problemText, register } = window.emailMonitorDashboard;
  let timer = null;
  let shownLog = null; // the webhook whose delivery log is open
  let editingRule = null;

  const list = (text) => text.split(',').map((item) => item.trim()).filter((item) => item !== '');

  function cell(content) {
    const td = document.createElement('td');
    if (content instanceof Node) td.append(content); else td.textContent = content;
    return td;
  }

  function actionsCell(label, buttons) {
    const td = document.createElement('td');
    td.className = 'actions';
    for (const [text, handler] of buttons) {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = text;
      button.setAttribute('aria-label', `${text} ${label}`);
      button.addEventListener('click', handler);
      td.append(button);
    }
    return td;
  }

  function code(value) {
    const element = document.createElement('code');
    element.textContent = JSON.stringify(value);
    return element;
  }

  async function errorLines(response) {
    let problem = {};
    try { problem = await response.json(); } catch { /* the status says it */ }
    return problem.errors
      ? Object.entries(problem.errors).map(([field, problems]) => `${field}: ${problems.join(', ')}`)
      : [problem.detail || `HTTP ${response.status}`];
  }

  function showLines(id, lines) {
    $(id).replaceChildren(...lines.map((line) => { const item = document.createElement('li'); item.textContent = line; return item; }));
  }

  // --- Webhooks ---

  // Where a webhook sends, without its path: Slack's and Teams' URLs hold their own secret there.
  function origin(url) {
    try { return `${new URL(url).origin}/…`; } catch { return '(invalid URL)'; }
  }

  function filters(webhook) {
    const parts = [];
    if (webhook.min_risk_score !== null) parts.push(`risk ≥ ${webhook.min_risk_score}`);
    if (webhook.flags && webhook.flags.length) parts.push(`flags: ${webhook.flags.join(', ')}`);
    if (webhook.mailboxes) parts.push(`mailboxes: ${webhook.mailboxes.join(', ') || 'none'}`);
    return parts.length ? parts.join('; ') : 'every event';
  }

  async function loadWebhooks() {
    try {
      const response = await api('GET', '/api/admin/webhooks');
      if (response.ok) renderWebhooks(await response.json());
      if (shownLog !== null) await loadDeliveries(shownLog);
    } catch {
      // The next refresh tries again.
    }
  }

  function renderWebhooks(webhooks) {
    $('webhook-table').tBodies[0].replaceChildren(...webhooks.map((webhook) => {
      const row = document.createElement('tr');
      row.dataset.id = webhook.id;
      const label = `webhook ${webhook.id}`;
      const state = `${webhook.pending} pending, ${webhook.dead} dead`
        + (webhook.last_success_at ? ` · last delivered ${new Date(webhook.last_success_at).toLocaleString()}` : '')
        + (webhook.last_failure_at ? ` · last failed ${new Date(webhook.last_failure_at).toLocaleString()}` : '');
      row.append(
        cell(String(webhook.id)),
        cell(`${origin(webhook.url)} (${webhook.format}${webhook.enabled ? '' : ', disabled'}${webhook.ordered ? ', ordered' : ''})`),
        cell(filters(webhook)),
        cell(state),
        actionsCell(label, [
          ['Test', () => testWebhook(webhook.id)],
          ['Deliveries', () => { shownLog = webhook.id; loadDeliveries(webhook.id); }],
          [webhook.enabled ? 'Disable' : 'Enable', () => changeWebhook(webhook.id, { enabled: !webhook.enabled })],
          ['Remove', () => removeWebhook(webhook.id)],
        ]));
      return row;
    }));
  }

  async function testWebhook(id) {
    $('webhook-message').textContent = `Sending a test event to webhook ${id}…`;
    const response = await api('POST', `/api/admin/webhooks/${id}/test`);
    if (!response.ok) { $('webhook-message').textContent = await problemText(response); return; }
    const result = await response.json();
    $('webhook-message').textContent = result.delivered
      ? `Webhook ${id}: the test event was delivered (HTTP ${result.status}, ${result.duration_ms} ms).`
      : `Webhook ${id}: the test event was not delivered: ${result.error}.`;
  }

  async function changeWebhook(id, body) {
    const response = await api('PATCH', `/api/admin/webhooks/${id}`, body);
    $('webhook-message').textContent = response.ok ? `Webhook ${id} saved.` : await problemText(response);
    loadWebhooks();
  }

  async function removeWebhook(id) {
    if (!window.confirm(`Remove webhook ${id} with its deliveries?`)) return;
    const response = await api('DELETE', `/api/admin/webhooks/${id}`);
    $('webhook-message').textContent = response.ok ? `Webhook ${id} removed.` : await problemText(response);
    if (shownLog === id) { shownLog = null; $('webhook-log').hidden = true; }
    loadWebhooks();
  }

  async function loadDeliveries(id) {
    const response = await api('GET', `/api/admin/webhooks/${id}/deliveries`);
    if (!response.ok) return;
    const deliveries = await response.json();
    $('webhook-log').hidden = false;
    $('webhook-log-title').textContent = `Deliveries of webhook ${id}`;
    $('delivery-table').tBodies[0].replaceChildren(...deliveries.map((delivery) => {
      const row = document.createElement('tr');
      row.dataset.id = delivery.id;
      const state = document.createElement('span');
      state.className = `delivery-${delivery.state}`;
      state.textContent = delivery.state;
      const last = delivery.recent_attempts[0];
      const lastText = last
        ? `${new Date(last.attempted_at).toLocaleString()}: ${last.status ? `HTTP ${last.status}` : ''}${last.error ? ` ${last.error}` : ''} (${last.duration_ms} ms)`
        : 'not yet';
      const buttons = delivery.state === 'dead' ? [['Send again', () => retry(id, delivery.id)]] : [];
      row.append(cell(String(delivery.id)), cell(String(delivery.event_id)), cell(state), cell(String(delivery.attempts)), cell(lastText),
        actionsCell(`delivery ${delivery.id}`, buttons));
      return row;
    }));
  }

  async function retry(id, deliveryId) {
    const response = await api('POST', `/api/admin/webhooks/${id}/deliveries/${deliveryId}/retry`);
    $('webhook-message').textContent = response.ok ? `Delivery ${deliveryId} is sent again.` : await problemText(response);
    loadDeliveries(id);
  }

  $('webhook-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.target.elements;
    const body = { url: form.namedItem('url').value.trim(), format: form.namedItem('format').value };
    if (form.namedItem('min_risk_score').value !== '') body.min_risk_score = Number(form.namedItem('min_risk_score').value);
    if (list(form.namedItem('flags').value).length) body.flags = list(form.namedItem('flags').value);
    if (list(form.namedItem('mailboxes').value).length) body.mailboxes = list(form.namedItem('mailboxes').value);
    if (form.namedItem('include_html').checked) body.include_html = true;
    if (form.namedItem('ordered').checked) body.ordered = true;
    const response = await api('POST', '/api/admin/webhooks', body);
    if (!response.ok) { showLines('webhook-errors', await errorLines(response)); return; }
    const created = await response.json();
    event.target.reset();
    showLines('webhook-errors', []);
    // Shown this once: the service keeps it sealed and never returns it again.
    $('webhook-secret').hidden = false;
    $('webhook-secret').textContent = `Webhook ${created.id} added. Its signing secret, shown only now: ${created.secret}`;
    loadWebhooks();
  });

  // --- Rules ---

  async function loadRules() {
    try {
      const response = await api('GET', '/api/admin/rules');
      if (response.ok) renderRules(await response.json());
    } catch {
      // The next refresh tries again.
    }
  }

  function renderRules(rules) {
    $('rule-table').tBodies[0].replaceChildren(...rules.map((rule) => {
      const row = document.createElement('tr');
      row.dataset.id = rule.id;
      const when = Object.fromEntries(Object.entries(rule.match).filter(([, value]) => value !== null));
      const then = Object.fromEntries(Object.entries(rule.actions).filter(([, value]) => value !== null && value !== false));
      row.append(
        cell(String(rule.priority)),
        cell(`${rule.name}${rule.enabled ? '' : ' (disabled)'}`),
        cell(code(when)),
        cell(code(then)),
        actionsCell(`rule ${rule.name}`, [
          ['Edit', () => editRule(rule, when, then)],
          [rule.enabled ? 'Disable' : 'Enable', () => saveRule(rule.id, { enabled: !rule.enabled }, rule.enabled ? 'disabled' : 'enabled')],
          ['Remove', () => removeRule(rule)],
        ]));
      return row;
    }));
  }

  function editRule(rule, when, then) {
    editingRule = rule;
    const form = $('rule-form').elements;
    form.namedItem('name').value = rule.name;
    form.namedItem('priority').value = rule.priority;
    form.namedItem('match').value = JSON.stringify(when, null, 1);
    form.namedItem('actions').value = JSON.stringify(then, null, 1);
    $('rule-form-title').textContent = `Edit rule ${rule.name}`;
    $('rule-submit').textContent = 'Save rule';
    $('rule-cancel').hidden = false;
    form.namedItem('name').focus();
  }

  function resetRuleForm() {
    editingRule = null;
    $('rule-form').reset();
    $('rule-form-title').textContent = 'Add a rule';
    $('rule-submit').textContent = 'Add rule';
    $('rule-cancel').hidden = true;
    showLines('rule-errors', []);
  }

  async function saveRule(id, body, done) {
    const response = await api('PATCH', `/api/admin/rules/${id}`, body);
    $('rule-message').textContent = response.ok ? `Rule ${done}.` : await problemText(response);
    loadRules();
  }

  async function removeRule(rule) {
    if (!window.confirm(`Remove the rule ${rule.name}?`)) return;
    const response = await api('DELETE', `/api/admin/rules/${rule.id}`);
    $('rule-message').textContent = response.ok ? `Rule ${rule.name} removed.` : await problemText(response);
    loadRules();
  }

  $('rule-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.target.elements;
    const body = { name: form.namedItem('name').value.trim() };
    if (form.namedItem('priority').value !== '') body.priority = Number(form.namedItem('priority').value);
    const problems = [];
    for (const field of ['match', 'actions']) {
      try { body[field] = JSON.parse(form.namedItem(field).value || '{}'); } catch (error) { problems.push(`${field}: not JSON (${error.message})`); }
    }
    if (problems.length) { showLines('rule-errors', problems); return; }
    const response = editingRule
      ? await api('PATCH', `/api/admin/rules/${editingRule.id}`, body)
      : await api('POST', '/api/admin/rules', body);
    if (!response.ok) { showLines('rule-errors', await errorLines(response)); return; }
    $('rule-message').textContent = `Rule ${body.name} ${editingRule ? 'saved' : 'added'}.`;
    resetRuleForm();
    loadRules();
  });

  $('rule-cancel').addEventListener('click', resetRuleForm);

  register('automation', {
    show() {
      loadWebhooks();
      loadRules();
      clearInterval(timer);
      timer = setInterval(loadWebhooks, 5000);
    },
    hide() { clearInterval(timer); },
    // Nothing of this administrator stays for the next user at this screen, the secret least of all.
    clear() {
      clearInterval(timer);
      shownLog = null;
      $('webhook-table').tBodies[0].replaceChildren();
      $('delivery-table').tBodies[0].replaceChildren();
      $('rule-table').tBodies[0].replaceChildren();
      $('webhook-log').hidden = true;
      $('webhook-secret').hidden = true;
      $('webhook-secret').textContent = '';
      $('webhook-form').reset();
      showLines('webhook-errors', []);
      for (const id of ['webhook-message', 'rule-message']) $(id).textContent = '';
      resetRuleForm();
    },
  });
})();
