// The clerk's screen: keyboard first, one document at a time, the next one fetched without a page load.
(() => {
  'use strict';
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const app = document.getElementById('app');
  const $ = (sel, root = document) => root.querySelector(sel);
  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === 'class') node.className = v; else if (k === 'text') node.textContent = v; else node.setAttribute(k, v);
    }
    for (const c of children) node.append(c);
    return node;
  };
  const svgEl = (tag, attrs) => {
    const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    return node;
  };

  let doc = null, page = 0, selected = 0, zoom = 0 /* 0 = fit width */, pendingKey = null, busy = false, searchResults = [];
  let types = [], docType = null, typeLoading = null; // the site's document types (with keys), the current document's type

  async function api(method, url, body) {
    const res = await fetch(url, {
      method, credentials: 'same-origin',
      headers: Object.assign({ 'Accept': 'application/json', 'X-CSRF-TOKEN': csrf }, body ? { 'Content-Type': 'application/json' } : {}),
      body: body ? JSON.stringify(body) : undefined,
    });
    if (res.status === 401) { location.href = '/signin?returnUrl=%2Fverify'; throw new Error('signed out'); }
    if (res.status === 204) return null;
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw Object.assign(new Error(data.title || res.statusText), { status: res.status, data });
    return data;
  }

  function status(text, tone = '') {
    const s = $('[data-testid="status"]');
    s.textContent = text; s.className = 'status ' + tone;
  }

  async function next() {
    busy = true;
    try {
      doc = await api('GET', '/api/queue/next');
    } catch (e) { status(e.message, 'bad'); busy = false; return; }
    busy = false;
    if (!doc) {
      app.dataset.state = 'empty';
      $('[data-testid="empty"]').hidden = false;
      setTimeout(() => { if (!doc) next(); }, 30000);
      return;
    }
    $('[data-testid="empty"]').hidden = true;
    app.dataset.state = 'ready';
    app.dataset.documentId = doc.documentId;
    page = 0; selected = doc.candidates.length ? 0 : -1; pendingKey = null; searchResults = [];
    render();
  }

  const fieldLevel = (lvl) => ({ exact: 'agree', close: 'close', different: 'differ', absent: 'absent' }[lvl] || lvl);
  // Where the matcher found a field's value: through a label, the layout, an index lookup, or by searching for this candidate.
  const sourceText = (src) => ({ label: 'by label', layout: 'by layout', index: 'on index', search: 'found by search' }[src] || src);
  const levelClass = (lvl) => ({ exact: 'ok', close: 'near', different: 'bad', absent: 'none' }[lvl] || 'near');
  const fmtDate = (iso) => iso ? iso.split('-').reverse().join('/') : '—';
  const fmtNhs = (n) => n && n.length === 10 ? `${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}` : (n || '—');

  function valueWithMarks(ident) {
    const span = el('span', { class: 'value' });
    const marks = new Set(ident.uncertain);
    const v = ident.value;
    for (let i = 0; i < v.length; i++) {
      if ((ident.kind === 'nhs_number' || ident.kind === 'chi_number') && v.length === 10 && (i === 3 || i === 6)) span.append(' ');
      const ch = ident.kind === 'date_of_birth' || ident.kind === 'document_date' ? null : v[i];
      if (ch === null) break;
      span.append(marks.has(i) ? el('mark', { class: 'unsure', title: 'OCR was unsure of this character, or it was corrected', text: ch }) : ch);
    }
    if (ident.kind === 'date_of_birth' || ident.kind === 'document_date') {
      const text = fmtDate(v);
      span.append(ident.uncertain.length ? el('mark', { class: 'unsure', text }) : text);
    }
    return span;
  }

  function render() {
    $('[data-testid="document-id"]').textContent = 'Document ' + doc.documentId;
    const kind = $('[data-testid="kind"]');
    kind.textContent = doc.kind === 'qa_sample' ? 'QA sample · auto-filed' : (doc.status === 'unmatched' ? 'Unmatched' : 'Needs verification');
    kind.className = 'badge kind ' + (doc.kind === 'qa_sample' ? 'qa' : doc.status);
    const risk = $('[data-testid="high-risk"]');
    risk.hidden = !doc.highRisk;
    risk.textContent = doc.secondConfirmationRequired
      ? (doc.awaitingSecondConfirmation ? 'High risk · you are the independent 2nd check' : 'High risk · needs 2 confirmations')
      : 'High risk';
    $('[data-testid="reason"]').textContent = doc.reason || '—';
    $('[data-testid="risk-flags"]').replaceChildren(...doc.risks.map((r) => el('span', { class: 'tag bad', 'data-risk': r.code, text: r.label })));
    $('.reason .meta').textContent = `Matcher ${doc.modelVersion} · queued ${new Date(doc.queuedSinceUtc).toLocaleString('en-GB')} · ${doc.queueSize} waiting`;

    const tbody = $('[data-testid="identifiers"] tbody');
    tbody.replaceChildren();
    for (const [i, id] of doc.identifiers.entries()) {
      const row = el('tr', { 'data-index': String(i) },
        el('th', { text: id.label }),
        el('td', {}, valueWithMarks(id), id.kind.endsWith('_number') && !id.valid && id.kind !== 'hospital_number' ? el('span', { class: 'tag bad', text: 'fails check' }) : '',
          id.corrected ? el('span', { class: 'tag near', text: 'corrected' }) : ''),
        el('td', { class: 'muted small', text: `read “${id.raw}” · p${id.page}` }));
      row.addEventListener('mouseenter', () => highlight(i));
      row.addEventListener('mouseleave', () => highlight(-1));
      row.addEventListener('click', () => { showPage(doc.pages.findIndex((p) => p.pageNumber === id.page)); highlight(i); });
      tbody.append(row);
    }
    renderCandidates();
    loadType();
    $('[data-testid="search-results"]').replaceChildren();
    renderStrip();
    showPage(0);
    status(doc.kind === 'qa_sample'
      ? 'QA second look: auto-filed to candidate 1. Enter confirms it is right; choose another patient if it is not.'
      : 'Check the page against the selected candidate, then Enter to file.');
  }

  function candidateItem(c, index, list) {
    const p = c.patient;
    const li = el('li', { class: 'cand' + (index === selected && list === 'candidates' ? ' selected' : ''), 'data-rank': String(index + 1), 'data-testid': `${list}-${index + 1}` });
    const name = p ? `${p.familyName}, ${p.givenName}` : '(no longer on the index)';
    li.append(el('div', { class: 'cand-head' },
      el('kbd', { text: String(index + 1) }),
      el('strong', { text: name }),
      c.score != null ? el('span', { class: 'score', text: (c.score * 100).toFixed(c.score > 0.999 ? 2 : 1) + '%' }) : ''));
    if (p) {
      li.append(el('div', { class: 'demo' },
        el('span', { text: 'NHS ' + fmtNhs(p.nhsNumber) }), el('span', { text: 'Hosp ' + (p.hospitalNumber || '—') }),
        el('span', { text: 'DOB ' + fmtDate(p.dateOfBirth) }), el('span', { text: p.postcode || '—' }), el('span', { class: 'muted', text: p.patientId })));
    }
    if (c.fields && c.fields.length) {
      const chips = el('div', { class: 'fields' });
      for (const f of c.fields) {
        const found = f.source ? ` · ${sourceText(f.source)}` : '';
        chips.append(el('span', { class: 'chip ' + levelClass(f.level), title: `${f.label}: ${f.level} (weight ${f.weight})${found}` },
          el('b', { text: f.label }), ' ' + fieldLevel(f.level) + (f.weight ? ` ${f.weight > 0 ? '+' : ''}${Math.round(f.weight * 10) / 10}` : '') + found));
      }
      li.append(chips);
    }
    li.addEventListener('click', () => { selectFrom(list, index); });
    return li;
  }

  function renderCandidates() {
    const list = $('[data-testid="candidates"]');
    list.replaceChildren();
    if (!doc.candidates.length) list.append(el('li', { class: 'muted', text: 'No candidates on the index: search below, or mark not on index (N).' }));
    doc.candidates.forEach((c, i) => list.append(candidateItem(c, i, 'candidates')));
    const results = $('[data-testid="search-results"]');
    results.replaceChildren();
    searchResults.forEach((p, i) => results.append(candidateItem({ patientId: p.patientId, score: null, patient: p, fields: [] }, i, 'search-results')));
    results.querySelectorAll('li').forEach((li, i) => li.classList.toggle('selected', selected === 100 + i));
  }

  function selectFrom(list, index) {
    selected = list === 'candidates' ? index : 100 + index;
    renderCandidates();
    status(`Selected ${list === 'candidates' ? 'candidate ' + (index + 1) : 'search result ' + (index + 1)}: Enter files the document to this patient.`);
  }

  function selectedPatientId() {
    if (selected >= 100) return searchResults[selected - 100] && searchResults[selected - 100].patientId;
    return doc.candidates[selected] && doc.candidates[selected].patientId;
  }

  function renderStrip() {
    const strip = $('.strip');
    strip.replaceChildren();
    doc.pages.forEach((p, i) => {
      const b = el('button', { type: 'button', class: 'thumb', title: `Page ${p.pageNumber} (PgUp/PgDn)`, 'data-page': String(i) },
        el('img', { src: p.imageUrl, alt: `Page ${p.pageNumber}`, loading: 'lazy' }), el('span', { text: String(p.pageNumber) }));
      b.addEventListener('click', () => showPage(i));
      strip.append(b);
    });
    strip.hidden = doc.pages.length < 2;
  }

  function showPage(i) {
    if (!doc || !doc.pages.length) return;
    page = Math.max(0, Math.min(doc.pages.length - 1, i));
    const p = doc.pages[page];
    const img = $('.sheet img');
    img.src = p.imageUrl;
    const svg = $('.overlay');
    svg.setAttribute('viewBox', `0 0 ${p.width} ${p.height}`);
    svg.replaceChildren();
    for (const b of p.lowConfidenceWords) svg.append(svgEl('rect', { x: b[0], y: b[1], width: b[2], height: b[3], class: 'lowconf' }));
    doc.identifiers.forEach((id, n) => {
      if (id.page !== p.pageNumber) return;
      for (const b of id.boxes) {
        const pad = Math.max(4, p.width / 300);
        svg.append(svgEl('rect', { x: b[0] - pad, y: b[1] - pad, width: b[2] + 2 * pad, height: b[3] + 2 * pad, class: 'ident k-' + id.kind, 'data-ident': String(n), rx: pad }));
      }
    });
    $('.sheet').style.setProperty('--ratio', `${p.width} / ${p.height}`);
    const qa = $('[data-testid="page-qa"]');
    const unreadable = (p.qaFlags || '').split(';').includes('unreadable');
    qa.hidden = !unreadable;
    qa.textContent = unreadable ? `Page ${p.pageNumber}: OCR could not read it (handwriting or poor scan) · no identifier taken from it` : '';
    document.querySelectorAll('.thumb').forEach((t, n) => t.classList.toggle('active', n === page));
    applyZoom();
  }

  function highlight(n) {
    document.querySelectorAll('.overlay .ident').forEach((r) => r.classList.toggle('hot', r.dataset.ident === String(n)));
  }

  function applyZoom() {
    const sheet = $('.sheet');
    const stage = $('.stage');
    sheet.style.width = zoom === 0 ? '100%' : `${zoom * stage.clientWidth}px`;
    $('[data-testid="zoom"]').textContent = zoom === 0 ? 'Fit' : `${Math.round(zoom * 100)}%`;
  }

  function setZoom(z) { zoom = z === 0 ? 0 : Math.max(0.5, Math.min(4, z)); applyZoom(); }

  // Document type: shown with its confidence; when the classifier was unsure the clerk presses the type's key before filing.
  function renderType() {
    const p = $('[data-testid="doc-type"]');
    if (!docType) { p.textContent = '…'; return; }
    p.className = docType.uncertain ? 'status warn' : '';
    p.textContent = docType.uncertain
      ? `Unsure (${Math.round(docType.confidence * 100)}% ${docType.display}): press the type's key.`
      : (docType.code ? `${docType.display} · ${docType.source === 'clerk' ? 'set by clerk' : Math.round(docType.confidence * 100) + '%'}` : 'Not typed: a key sets it.');
    document.querySelectorAll('.type-keys li').forEach((li) => li.classList.toggle('selected', li.dataset.code === docType.code && !docType.uncertain));
  }

  function loadType() {
    docType = null; renderType();
    const id = doc.documentId;
    typeLoading = api('GET', `/api/documents/${encodeURIComponent(id)}/type`)
      .then((t) => { if (doc && doc.documentId === id) { docType = t; renderType(); } })
      .catch((e) => status(e.message, 'bad'));
  }

  async function setType(t) {
    try {
      docType = await api('PUT', `/api/documents/${encodeURIComponent(doc.documentId)}/type`, { code: t.code });
      renderType();
      status(`Type set: ${t.display}. Enter files the document.`, 'good');
    } catch (e) { status(e.message + (e.data && e.data.detail ? ' ' + e.data.detail : ''), 'bad'); }
  }

  api('GET', '/api/document-types').then((list) => {
    types = list;
    $('[data-testid="type-keys"]').replaceChildren(...types.map((t) => el('li', { 'data-code': t.code, title: `SNOMED CT ${t.snomed} ${t.snomedDisplay}` }, el('kbd', { text: t.key.toUpperCase() }), ' ' + t.display)));
    renderType();
  }).catch(() => {});

  async function decide(action) {
    if (!doc || busy) return;
    const body = { action };
    if (action === 'file' && !docType && typeLoading) await typeLoading;
    if (action === 'file' && (!docType || docType.uncertain)) { status('Pick the document type first: press its key (listed under Document type).', 'bad'); return; }
    if (action === 'file') {
      body.patientId = selectedPatientId();
      if (!body.patientId) { status('Select a candidate (1–9) or search the index first.', 'bad'); return; }
    }
    busy = true;
    const id = doc.documentId;
    status('Saving…');
    try {
      const res = await api('POST', `/api/documents/${encodeURIComponent(id)}/decision`, body);
      const tone = res.outcome === 'recorded' ? 'good' : (res.outcome === 'skipped' ? '' : 'warn');
      busy = false;
      await next();
      status(`${id}: ${res.message}`, tone);
    } catch (e) {
      busy = false;
      status(e.message + (e.data && e.data.detail ? ' ' + e.data.detail : ''), 'bad');
      if (e.status === 409) await next();
    }
  }

  async function search(ev) {
    ev.preventDefault();
    const f = ev.target;
    const q = {};
    for (const k of ['nhsNumber', 'hospitalNumber', 'familyName', 'dateOfBirth']) { const v = f.elements[k].value.trim(); if (v) q[k] = v; }
    if (!doc) { status('Take a document from the queue first.', 'bad'); return; }
    q.documentId = doc.documentId; // results are remembered for this lease: only they (and the candidates) can be filed to
    try {
      const res = await api('POST', '/api/patients/search', q);
      searchResults = res.patients;
      if (searchResults.length) selected = 100;
      renderCandidates();
      status(searchResults.length ? `${searchResults.length} found: 1–9 … or click to select, Enter to file.` : 'No patient found.', searchResults.length ? '' : 'warn');
      document.activeElement.blur();
    } catch (e) { status(e.message + (e.data && e.data.detail ? ' ' + e.data.detail : ''), 'bad'); }
  }

  function confirmTwice(key, action, text) {
    if (pendingKey === key) { pendingKey = null; decide(action); return; }
    pendingKey = key;
    status(`Press ${key.toUpperCase()} again to ${text}; any other key cancels.`, 'warn');
  }

  document.addEventListener('keydown', (ev) => {
    const typing = ev.target instanceof HTMLInputElement || ev.target instanceof HTMLTextAreaElement;
    if (typing) {
      if (ev.key === 'Escape') { ev.target.blur(); ev.preventDefault(); }
      return;
    }
    if (ev.ctrlKey || ev.metaKey || ev.altKey || !doc) return;
    const key = ev.key.length === 1 ? ev.key.toLowerCase() : ev.key;
    if (pendingKey && key !== pendingKey) { pendingKey = null; status('Cancelled.'); }
    const inResults = selected >= 100;
    switch (key) {
      case 'Enter': ev.preventDefault(); decide('file'); break;
      case 'n': confirmTwice('n', 'not_on_index', 'mark it not on the index'); break;
      case 'r': confirmTwice('r', 'rescan', 'send it for rescan'); break;
      case 's': decide('skip'); break;
      case '/': ev.preventDefault(); $('.search-form input[name="nhsNumber"]').focus(); break;
      case '+': case '=': setZoom((zoom || 1) * 1.25); break;
      case '-': setZoom((zoom || 1) / 1.25); break;
      case '0': setZoom(0); break;
      case 'PageDown': case 'ArrowRight': ev.preventDefault(); showPage(page + 1); break;
      case 'PageUp': case 'ArrowLeft': ev.preventDefault(); showPage(page - 1); break;
      case 'ArrowDown': ev.preventDefault(); if (!inResults && selected < doc.candidates.length - 1) selectFrom('candidates', selected + 1); break;
      case 'ArrowUp': ev.preventDefault(); if (!inResults && selected > 0) selectFrom('candidates', selected - 1); break;
      default:
        if (types.some((t) => t.key === key)) { setType(types.find((t) => t.key === key)); break; }
        if (/^[1-9]$/.test(key)) {
          const n = Number(key) - 1;
          if (searchResults.length && inResults) { if (n < searchResults.length) selectFrom('search-results', n); }
          else if (n < doc.candidates.length) selectFrom('candidates', n);
        }
    }
  });

  document.querySelectorAll('[data-act]').forEach((b) => b.addEventListener('click', () => {
    const act = b.dataset.act;
    if (act === 'zoom-in') setZoom((zoom || 1) * 1.25);
    else if (act === 'zoom-out') setZoom((zoom || 1) / 1.25);
    else if (act === 'zoom-fit') setZoom(0);
    else decide(act);
    b.blur();
  }));
  $('.search-form').addEventListener('submit', search);
  window.addEventListener('resize', applyZoom);
  next();
})();
