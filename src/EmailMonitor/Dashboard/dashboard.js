'use strict';
// The dashboard's core: sign-in, the WebSocket (CONTRACT §4) with resume after any drop, token
// refresh, sign-out, and the views that register here (triage.js, status.js, admin.js,
// automation.js). Tokens live in memory only; a reload asks for the password again.
(() => {
  const $ = (id) => document.getElementById(id);
  let socket = null;
  let session = null; // { accessToken, refreshToken, username, role }
  let lastEventId = 0;
  let refreshTimer = null;
  let reconnectTimer = null;
  let reconnectDelay = 1000;
  let loggingOut = false;
  let live = false; // caught up: the header shows the count
  const views = new Map();

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  function setStatus(text) { live = false; $('status').textContent = text; }

  // Once caught up, the header says how many emails the list holds, kept current as mail arrives.
  function showCount() {
    if (!live) return;
    const count = views.get('triage') ? views.get('triage').count() : 0;
    $('status').textContent = `live · ${count} email${count === 1 ? '' : 's'}`;
  }

  // The socket's state in words (and a symbol), never by colour alone.
  function setConnection(state, text) {
    $('connection').hidden = state === 'offline' && !session;
    $('connection').dataset.state = state;
    $('connection').textContent = text;
  }

  function connect(onOpen) {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    clearTimeout(reconnectTimer);
    socket = new WebSocket(`${scheme}://${location.host}/ws`);
    const mine = socket;
    socket.onopen = () => { reconnectDelay = 1000; onOpen(); };
    socket.onmessage = (event) => handle(JSON.parse(event.data));
    socket.onclose = () => {
      if (mine !== socket) return;
      clearTimeout(refreshTimer);
      if (loggingOut || !session) { setStatus('signed out'); setConnection('offline', ''); return; }
      // Resumed after the last event seen, so nothing that arrived meanwhile is missed.
      const seconds = Math.round(reconnectDelay / 1000);
      setConnection('reconnecting', `◌ connection lost: reconnecting in ${seconds} s`);
      setStatus('reconnecting…');
      reconnectTimer = setTimeout(() => {
        setConnection('reconnecting', '◌ reconnecting…');
        connect(() => send({ type: 'token_auth', token: session.accessToken }));
      }, reconnectDelay);
      reconnectDelay = Math.min(reconnectDelay * 2, 30000);
    };
  }

  function each(method, ...args) {
    for (const view of views.values()) if (view[method]) view[method](...args);
  }

  function handle(message) {
    switch (message.type) {
      case 'auth_success': {
        const first = !session;
        if (message.access_token) session = { accessToken: message.access_token, refreshToken: message.refresh_token };
        session.username = message.username;
        session.role = message.role;
        scheduleRefresh(message.expires_in);
        setConnection('live', '● connected');
        if (first) signedIn();
        catchUp(first);
        break;
      }
      case 'token_refreshed':
        session.accessToken = message.access_token;
        session.refreshToken = message.refresh_token;
        scheduleRefresh(message.expires_in);
        break;
      case 'new_email':
        lastEventId = Math.max(lastEventId, message.event_id);
        each('email', message);
        break;
      case 'resume_complete':
        live = true;
        showCount();
        break;
      case 'error':
        if (message.code === 'token_expired' && session) { send({ type: 'refresh_token', refresh_token: session.refreshToken }); break; }
        // A refused sign-in closes the socket rather than leave it to time out unauthenticated,
        // which the server counts against this address.
        if (['auth_failed', 'account_locked', 'token_revoked', 'invalid_token'].includes(message.code)
          || (message.code === 'rate_limited' && !session)) signOut(message.message);
        break;
    }
  }

  // The first time, the triage view loads the newest page over REST and the WebSocket resumes
  // after it, rather than replaying every stored event; after a reconnect, resume picks up
  // exactly where it was.
  async function catchUp(first) {
    if (first) {
      const newest = views.get('triage') ? await views.get('triage').firstPage() : 0;
      lastEventId = Math.max(lastEventId, newest);
    }
    send({ type: 'resume', last_event_id: lastEventId });
  }

  // Refreshed before it expires, so REST calls never meet an expired token.
  function scheduleRefresh(expiresIn) {
    clearTimeout(refreshTimer);
    const delay = Math.max(5, expiresIn - 60) * 1000;
    refreshTimer = setTimeout(() => send({ type: 'refresh_token', refresh_token: session.refreshToken }), delay);
  }

  function signedIn() {
    $('login').hidden = true;
    $('logout').hidden = false;
    $('logout-everywhere').hidden = false;
    $('tabs').hidden = false;
    for (const tab of ['users', 'blocks', 'mailboxes', 'automation']) $(`tab-${tab}`).hidden = session.role !== 'admin';
    showView('inbox');
    each('signedIn', { username: session.username, role: session.role });
  }

  const sections = { inbox: 'inbox', status: 'status-view', users: 'users', blocks: 'blocks', mailboxes: 'mailboxes', automation: 'automation' };

  function showView(view) {
    for (const [name, section] of Object.entries(sections)) {
      $(section).hidden = view !== name;
      $(`tab-${name}`).setAttribute('aria-pressed', String(view === name));
    }
    clearInterval(mailboxTimer);
    for (const [name, registered] of views) {
      if (name !== view && registered.hide) registered.hide();
    }
    if (view === 'mailboxes') {
      loadMailboxes();
      mailboxTimer = setInterval(loadMailboxes, 5000);
    }
    if (views.get(view)?.show) views.get(view).show();
  }

  function api(method, path, body) {
    const options = { method, headers: { Authorization: `Bearer ${session.accessToken}` } };
    if (body !== undefined) {
      options.headers['Content-Type'] = 'application/json';
      options.body = JSON.stringify(body);
    }
    return fetch(path, options);
  }

  async function problemText(response) {
    try {
      const problem = await response.json();
      if (problem.errors) return Object.entries(problem.errors).map(([field, problems]) => `${field}: ${problems.join(', ')}`).join('; ');
      return problem.detail || problem.title || `HTTP ${response.status}`;
    } catch {
      return `HTTP ${response.status}`;
    }
  }

  window.emailMonitorDashboard = {
    api: (method, path, body) => api(method, path, body),
    problemText: (response) => problemText(response),
    user: () => (session ? { username: session.username, role: session.role } : null),
    countChanged: () => showCount(),
    // A view: { show, hide, clear, signedIn, email, firstPage, count }, each optional.
    register(name, view) { views.set(name, view); },
  };

  // --- Mailboxes (administrators): CONTRACT §7 over REST, the live state polled while shown. ---

  let mailboxTimer = null;
  let editing = null; // the mailbox being edited, as last read

  async function loadMailboxes() {
    if (!session) return;
    try {
      const response = await api('GET', '/api/admin/mailboxes');
      if (response.ok) renderMailboxes(await response.json());
    } catch {
      // The next poll tries again.
    }
  }

  const stateText = {
    watching: 'watching', connecting: 'connecting', starting: 'starting', reconnecting: 'reconnecting',
    auth_failed: 'login refused', paused: 'paused', stopped: 'stopped',
  };

  function renderMailboxes(mailboxes) {
    const rows = mailboxes.map((mailbox) => {
      const row = document.createElement('tr');
      row.dataset.name = mailbox.name;
      const cell = (text) => { const td = document.createElement('td'); td.textContent = text; return td; };
      const state = document.createElement('td');
      const label = document.createElement('span');
      label.className = `state state-${mailbox.state}`;
      label.textContent = stateText[mailbox.state] || mailbox.state;
      state.append(label);
      if (mailbox.last_error) {
        const error = document.createElement('div');
        error.className = 'last-error';
        error.textContent = mailbox.last_error;
        state.append(error);
      }

      const actions = document.createElement('td');
      actions.className = 'actions';
      const button = (text, handler) => {
        const b = document.createElement('button');
        b.type = 'button';
        b.textContent = text;
        b.setAttribute('aria-label', `${text} ${mailbox.name}`);
        b.addEventListener('click', handler);
        actions.append(b);
      };
      button(mailbox.paused ? 'Resume' : 'Pause', () => change(mailbox.name, { paused: !mailbox.paused }, mailbox.paused ? 'resumed' : 'paused'));
      button('Test', () => testMailbox(mailbox.name));
      if (mailbox.name !== 'default') {
        button('Edit', () => edit(mailbox));
        button('Remove', () => remove(mailbox.name));
      }

      row.append(
        cell(mailbox.name),
        cell(`${mailbox.username} · ${mailbox.protocol} ${mailbox.host}:${mailbox.port} (${mailbox.security}${mailbox.oauth2 ? ', OAuth2' : ''})`),
        cell(mailbox.folders.join(', ')),
        state,
        actions);
      return row;
    });
    $('mailbox-table').tBodies[0].replaceChildren(...rows);
  }

  async function change(name, body, done) {
    const response = await api('PATCH', `/api/admin/mailboxes/${encodeURIComponent(name)}`, body);
    $('mailbox-message').textContent = response.ok ? `${name} ${done}.` : await problemText(response);
    loadMailboxes();
  }

  async function remove(name) {
    if (!window.confirm(`Stop watching ${name}? Its stored emails stay.`)) return;
    const response = await api('DELETE', `/api/admin/mailboxes/${encodeURIComponent(name)}`);
    $('mailbox-message').textContent = response.ok ? `${name} removed.` : await problemText(response);
    loadMailboxes();
  }

  async function testMailbox(name) {
    if (testing) return;
    testing = true;
    try { await runTest(name); } finally { testing = false; }
  }

  let testing = false;

  async function runTest(name) {
    $('mailbox-test').hidden = false;
    $('mailbox-test-title').textContent = `Test connection: ${name} (running…)`;
    $('mailbox-test-steps').replaceChildren();
    const response = await api('POST', `/api/admin/mailboxes/${encodeURIComponent(name)}/test`);
    if (!response.ok) { $('mailbox-test-title').textContent = `Test connection: ${name}: ${await problemText(response)}`; return; }
    const result = await response.json();
    $('mailbox-test-title').textContent = `Test connection: ${name}: ${result.ok ? 'every step succeeded' : `the ${result.failed_step} step failed`}`;
    $('mailbox-test-steps').replaceChildren(...result.steps.map((step) => {
      const item = document.createElement('li');
      item.textContent = `${step.step}: ${step.detail}`;
      if (!step.ok) item.className = 'failed';
      return item;
    }));
  }

  function formField(name) { return $('mailbox-form').elements.namedItem(name); }

  function showAuth() {
    const oauth2 = $('mailbox-form').elements.namedItem('auth').value === 'oauth2';
    for (const part of $('mailbox-form').querySelectorAll('[data-auth]')) part.hidden = part.dataset.auth !== (oauth2 ? 'oauth2' : 'password');
  }

  function edit(mailbox) {
    editing = mailbox;
    resetForm();
    editing = mailbox;
    $('mailbox-form-title').textContent = `Edit ${mailbox.name}`;
    $('mailbox-submit').textContent = 'Save changes';
    $('mailbox-cancel').hidden = false;
    formField('name').value = mailbox.name;
    formField('name').disabled = true;
    for (const field of ['username', 'protocol', 'host', 'port', 'security', 'check_interval']) formField(field).value = mailbox[field];
    formField('folders').value = mailbox.folders.join(', ');
    $('mailbox-form').elements.namedItem('auth').value = mailbox.oauth2 ? 'oauth2' : 'password';
    if (mailbox.oauth2) for (const field of ['client_id', 'token_url', 'scope']) formField(field).value = mailbox.oauth2[field] || '';
    showAuth();
    formField('username').focus();
  }

  function resetForm() {
    editing = null;
    $('mailbox-form').reset();
    formField('name').disabled = false;
    $('mailbox-form-title').textContent = 'Add a mailbox';
    $('mailbox-submit').textContent = 'Add mailbox';
    $('mailbox-cancel').hidden = true;
    $('mailbox-errors').replaceChildren();
    showAuth();
  }

  // The body of a POST (every field given) or a PATCH (only what differs from the mailbox as read).
  function mailboxBody() {
    const value = (name) => formField(name).value.trim();
    const body = {};
    const set = (name, given, current) => { if (given !== '' && given !== undefined && String(given) !== String(current ?? '')) body[name] = given; };
    if (!editing) set('name', value('name'));
    set('username', value('username'), editing?.username);
    set('provider', value('provider'));
    set('protocol', value('protocol'), editing?.protocol ?? 'imap');
    set('host', value('host'), editing?.host);
    set('port', value('port') === '' ? '' : Number(value('port')), editing?.port);
    set('security', value('security'), editing?.security ?? 'ssl');
    // The server fills a connection setting left out from the others (a new protocol's default
    // port, say): once one of them changes, all four go as shown, so none changes unseen.
    if (editing && ['protocol', 'host', 'port', 'security'].some((field) => field in body)) {
      for (const field of ['protocol', 'host', 'security']) body[field] = value(field);
      if (value('port') !== '') body.port = Number(value('port'));
    }
    const folders = value('folders').split(',').map((f) => f.trim()).filter((f) => f !== '');
    if (folders.length > 0 && folders.join(',') !== (editing?.folders ?? ['INBOX']).join(',')) body.folders = folders;
    set('check_interval', value('check_interval') === '' ? '' : Number(value('check_interval')), editing?.check_interval ?? 30);
    if ($('mailbox-form').elements.namedItem('auth').value === 'oauth2') {
      const oauth2 = {};
      for (const field of ['client_id', 'client_secret', 'refresh_token', 'token_url', 'scope']) {
        if (value(field) !== '' && value(field) !== (editing?.oauth2?.[field] ?? '')) oauth2[field] = value(field);
      }
      if (Object.keys(oauth2).length > 0) body.oauth2 = oauth2;
    } else if (value('password') !== '') {
      body.password = formField('password').value;
    }
    return body;
  }

  $('mailbox-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = mailboxBody();
    const name = editing ? editing.name : body.name;
    const response = editing
      ? await api('PATCH', `/api/admin/mailboxes/${encodeURIComponent(editing.name)}`, body)
      : await api('POST', '/api/admin/mailboxes', body);
    if (response.ok) {
      $('mailbox-message').textContent = `${name} ${editing ? 'saved' : 'added'}.`;
      resetForm();
      loadMailboxes();
      return;
    }

    let problem = {};
    try { problem = await response.json(); } catch { /* shown by status below */ }
    const lines = problem.errors
      ? Object.entries(problem.errors).map(([field, problems]) => `${field}: ${problems.join(', ')}`)
      : [problem.detail || `HTTP ${response.status}`];
    $('mailbox-errors').replaceChildren(...lines.map((line) => { const item = document.createElement('li'); item.textContent = line; return item; }));
  });

  $('mailbox-cancel').addEventListener('click', resetForm);
  for (const choice of $('mailbox-form').querySelectorAll('input[name="auth"]')) choice.addEventListener('change', showAuth);
  for (const name of Object.keys(sections)) $(`tab-${name}`).addEventListener('click', () => showView(name));

  function signOut(reason) {
    session = null;
    clearTimeout(refreshTimer);
    clearTimeout(reconnectTimer);
    clearInterval(mailboxTimer);
    // Nothing of this user stays for the next one at this screen: their email, their place in it,
    // the admin tables, and anything typed into a form (secrets included).
    lastEventId = 0;
    $('mailbox-table').tBodies[0].replaceChildren();
    $('mailbox-test').hidden = true;
    $('mailbox-message').textContent = '';
    resetForm();
    each('clear');
    for (const section of Object.values(sections)) $(section).hidden = true;
    $('login').hidden = false;
    $('tabs').hidden = true;
    $('logout').hidden = true;
    $('logout-everywhere').hidden = true;
    setConnection('offline', '');
    $('login-error').textContent = reason || '';
    setStatus('signed out');
    if (socket) socket.close();
  }

  $('login').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    loggingOut = false;
    $('login-error').textContent = '';
    const credentials = { type: 'login', username: form.get('username'), password: form.get('password') };
    if (socket && socket.readyState === WebSocket.OPEN) send(credentials);
    else connect(() => send(credentials));
    event.target.reset();
  });

  // The server's 1000 close comes once the login has ended (every login, with everywhere): only
  // then does the screen say so. Without a connection, nothing could be ended; the screen says that.
  function logOut(everywhere) {
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      setStatus(everywhere ? 'not connected: could not sign out everywhere; try again once connected' : 'not connected: could not sign out; try again once connected');
      return;
    }
    loggingOut = true;
    const closing = socket;
    const fallback = setTimeout(() => closing.close(), 10000);
    closing.addEventListener('close', (event) => {
      clearTimeout(fallback);
      if (event.code === 1000) signOut(everywhere ? 'Signed out on every device.' : '');
      else signOut(everywhere ? 'Signing out on every device was not confirmed; sign in and try again.' : 'The sign-out was not confirmed.');
    }, { once: true });
    send(everywhere ? { type: 'logout', everywhere: true } : { type: 'logout' });
  }

  $('logout').addEventListener('click', () => logOut(false));
  $('logout-everywhere').addEventListener('click', () => logOut(true));
})();
