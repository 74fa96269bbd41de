'use strict';
// Administrators' pages: users (create, role, disable, reset password, which mailboxes a viewer
// sees, remove) and blocked addresses (list, lift), over CONTRACT §5's REST API.
(() => {
  const $ = (id) => document.getElementById(id);
  const { api, problemText, register, user } = window.emailMonitorDashboard;

  function button(cell, text, label, handler) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = text;
    b.setAttribute('aria-label', label);
    b.addEventListener('click', handler);
    cell.append(b);
  }

  function row(texts) {
    const tr = document.createElement('tr');
    for (const text of texts) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    const actions = document.createElement('td');
    actions.className = 'actions';
    tr.append(actions);
    return [tr, actions];
  }

  const list = (text) => text.split(',').map((part) => part.trim()).filter((part) => part !== '');

  // --- Users ---

  async function loadUsers() {
    const response = await api('GET', '/api/admin/users');
    if (!response.ok) { $('user-message').textContent = await problemText(response); return; }
    const users = await response.json();
    $('user-table').tBodies[0].replaceChildren(...users.map((account) => {
      const [tr, actions] = row([
        account.username,
        account.role,
        account.disabled ? '✗ disabled' : '✓ enabled',
        account.role === 'admin' || account.mailboxes === null ? 'all mailboxes' : account.mailboxes.join(', ') || 'no mailbox',
      ]);
      tr.dataset.username = account.username;
      const name = account.username;
      const other = account.role === 'admin' ? 'viewer' : 'admin';
      button(actions, `Make ${other}`, `Make ${other}: ${name}`, () => change(name, { role: other }, `${name} is now ${other === 'admin' ? 'an admin' : 'a viewer'}.`));
      button(actions, account.disabled ? 'Enable' : 'Disable', `${account.disabled ? 'Enable' : 'Disable'}: ${name}`,
        () => change(name, { disabled: !account.disabled }, `${name} ${account.disabled ? 'enabled' : 'disabled; their logins ended'}.`));
      button(actions, 'Reset password', `Reset password: ${name}`, () => {
        const password = window.prompt(`New password for ${name} (12 characters or more). Their logins end.`);
        if (password) change(name, { password }, `${name}'s password changed; their logins ended.`);
      });
      if (account.role !== 'admin') {
        button(actions, 'Mailboxes', `Mailboxes: ${name}`, () => {
          const answer = window.prompt(`Mailboxes ${name} sees, separated by commas (empty: all).`, (account.mailboxes || []).join(', '));
          if (answer !== null) change(name, { mailboxes: answer.trim() === '' ? null : list(answer) }, `${name}'s mailboxes changed.`);
        });
      }
      if (name !== user()?.username) {
        button(actions, 'Remove', `Remove: ${name}`, async () => {
          if (!window.confirm(`Remove ${name}? Their logins end.`)) return;
          const removed = await api('DELETE', `/api/admin/users/${encodeURIComponent(name)}`);
          $('user-message').textContent = removed.ok ? `${name} removed.` : await problemText(removed);
          loadUsers();
        });
      }
      return tr;
    }));
  }

  async function change(name, body, done) {
    const response = await api('PATCH', `/api/admin/users/${encodeURIComponent(name)}`, body);
    $('user-message').textContent = response.ok ? done : await problemText(response);
    loadUsers();
  }

  $('user-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = $('user-form').elements;
    const body = { username: form.namedItem('username').value.trim(), password: form.namedItem('password').value, role: form.namedItem('role').value };
    const mailboxes = list(form.namedItem('mailboxes').value);
    if (mailboxes.length > 0) body.mailboxes = mailboxes;
    const response = await api('POST', '/api/admin/users', body);
    if (response.ok) {
      $('user-message').textContent = `${body.username} added.`;
      $('user-form').reset();
      $('user-errors').replaceChildren();
      loadUsers();
      return;
    }
    const item = document.createElement('li');
    item.textContent = await problemText(response);
    $('user-errors').replaceChildren(item);
  });

  // --- Blocked addresses ---

  async function loadBlocks() {
    const response = await api('GET', '/api/admin/blocked-ips');
    if (!response.ok) { $('block-message').textContent = await problemText(response); return; }
    const blocks = await response.json();
    const rows = blocks.map((block) => {
      const [tr, actions] = row([block.ip, block.source, block.reason, block.expires_at ? new Date(block.expires_at).toLocaleString() : 'until the configuration changes']);
      tr.dataset.ip = block.ip;
      if (block.source === 'automatic') {
        button(actions, 'Lift', `Lift: ${block.ip}`, async () => {
          const lifted = await api('DELETE', `/api/admin/blocked-ips/${encodeURIComponent(block.ip)}`);
          $('block-message').textContent = lifted.ok ? `${block.ip} may connect again.` : await problemText(lifted);
          loadBlocks();
        });
      }
      return tr;
    });
    if (rows.length === 0) {
      const [tr] = row(['No address is blocked.', '', '', '']);
      rows.push(tr);
    }
    $('block-table').tBodies[0].replaceChildren(...rows);
  }

  register('users', {
    show: loadUsers,
    clear() { $('user-table').tBodies[0].replaceChildren(); $('user-message').textContent = ''; $('user-form').reset(); $('user-errors').replaceChildren(); },
  });
  register('blocks', {
    show: loadBlocks,
    clear() { $('block-table').tBodies[0].replaceChildren(); $('block-message').textContent = ''; },
  });
})();
