// The dashboard: one page, six sections, each reading one or two public endpoints with the user's token. A section
// the token's role may not read says so politely (the server decides; the page only labels).
import { adoptTokenFromUrl, getToken, setToken, claims, get } from './api.js';
import { h, clear, $ } from './dom.js';
import { gauge, inOutBars, heatmap, mirrorBars } from './charts.js';
import * as f from './format.js';

const roleLabels = {
  'org-staff': '组织部门工作人员 org staff', analyst: '分析人员 analyst', auditor: '审计人员 auditor',
};

const state = {
  who: null,
  org: '',
  side: 'Outflow',
  month: '',
  crumbs: [],
  risk: 'ReportOverdue',
  riskPage: 1,
  rosterPage: 1,
  rosterStatuses: new Set(),
  agreementId: '',
  agreementSet: 'All',
  agreementPage: 1,
  memberId: '',
  knownOrgs: new Map(),
};

/** Per-section request counters: an answer that arrives after a newer request is dropped. */
const latest = {};
function ticket(name) {
  latest[name] = (latest[name] || 0) + 1;
  return latest[name];
}
const stale = (name, t) => latest[name] !== t;

function section(name) {
  return $(`${name}-section`);
}

function setState(name, value) {
  section(name).dataset.state = value;
}

/** The polite answer for a refused or failed call, as the body of a section (or a part of it). */
function problem(name, res, what) {
  const role = state.who ? roleLabels[state.who.role] || state.who.role : '—';
  const testid = `${name}-message`;
  if (res.status === 403) {
    return h('div', { class: 'notice forbidden', 'data-testid': testid, 'data-status': 403 },
      h('div', {}, `您当前的身份（${role}）或所属范围无权查看${what.zh}。如需查看，请使用具有相应权限的令牌。`),
      h('div', { class: 'hint' }, `Your role or scope may not view ${what.en}. ${res.detail || ''}`));
  }
  if (res.status === 401) {
    openTokenPanel(res.detail);
    return h('div', { class: 'notice error', 'data-testid': testid, 'data-status': 401 },
      h('div', {}, getToken() ? '令牌无效或已过期，请重新提供令牌。' : '请先提供访问令牌。'),
      h('div', { class: 'hint' }, getToken() ? `The token was refused: ${res.detail || res.title}` : 'Please give a bearer token (the Token button above).'));
  }
  if (res.status === 404) {
    return h('div', { class: 'notice empty', 'data-testid': testid, 'data-status': 404 },
      h('div', {}, `未找到${what.zh}。`), h('div', { class: 'hint' }, `Not found: ${res.detail || ''}`));
  }
  return h('div', { class: 'notice error', 'data-testid': testid, 'data-status': res.status },
    h('div', {}, `读取${what.zh}时出错（${res.status || '网络'}）。`), h('div', { class: 'hint' }, `${res.title || ''} ${res.detail || ''}`));
}

function failed(name, body, res, what) {
  clear(body, problem(name, res, what));
  setState(name, res.status === 403 ? 'forbidden' : 'error');
}

const num = (value, testid, cls) => h('span', { class: cls || 'num', 'data-testid': testid, 'data-value': value ?? '' }, f.count(value));

function kpi(label, hint, value, testid, extra) {
  return h('div', { class: 'kpi' + (extra ? ' ' + extra : '') },
    h('div', { class: 'label' }, label, ' ', h('small', {}, hint)),
    h('div', { class: 'value' }, num(value, testid)));
}

function statusChip(status) {
  return h('span', { class: `chip status-${status}`, title: f.statusEnglish[status] || status }, f.statusLabels[status] || status);
}

function riskChips(value) {
  return f.flags(value).map(flag => h('span', { class: 'chip risk', title: f.riskEnglish[flag] }, f.riskLabels[flag] || flag));
}

function sideChip(side) {
  return side ? h('span', { class: `chip side-${side}` }, f.sideLabels[side] || side) : '—';
}

function pager(page, onGo, testid) {
  const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
  return h('div', { class: 'pager', 'data-testid': testid },
    h('button', { type: 'button', disabled: page.pageNumber <= 1, onclick: () => onGo(page.pageNumber - 1) }, '‹ 上一页'),
    h('span', {}, `第 ${page.pageNumber} / ${pages} 页 · 共 `, num(page.total, `${testid}-total`), page.totalIsExact === false ? '+ 人' : ' 人'),
    h('button', { type: 'button', disabled: page.pageNumber >= pages, onclick: () => onGo(page.pageNumber + 1) }, '下一页 ›'));
}

function remember(id, name) {
  if (!id) return;
  if (!state.knownOrgs.has(id) || name) state.knownOrgs.set(id, name || state.knownOrgs.get(id) || '');
  clear($('known-orgs'), [...state.knownOrgs].map(([key, label]) => h('option', { value: key }, label)));
}

const orgName = (id, name) => (name ? `${name}` : id || '—');

// ── identity, token, scope ─────────────────────────────────────────────────────────────────────────────────────

function renderIdentity() {
  const who = state.who;
  const box = $('identity');
  if (!who) {
    clear(box, h('span', { class: 'chip', 'data-testid': 'identity-role' }, '未登录 no token'));
    return;
  }
  const expired = who.expires && who.expires < new Date();
  const until = who.expires ? `令牌有效至 token valid until ${f.time(who.expires.toISOString())}` : '';
  clear(box,
    h('span', { class: 'chip', 'data-testid': 'identity-role', 'data-role': who.role, title: `${who.user || ''} · ${until}` }, roleLabels[who.role] || who.role),
    h('span', { class: 'chip', 'data-testid': 'identity-org', title: until }, `${who.org} · ${f.sideLabels[who.side] || who.side}`),
    expired ? h('span', { class: 'chip expired' }, '令牌已过期 expired') : null);
}

function openTokenPanel(message) {
  $('token-panel').hidden = false;
  const error = $('token-error');
  error.hidden = !message;
  error.textContent = message ? `令牌被拒绝 Token refused: ${message}` : '';
}

function setupToken() {
  $('token-toggle').addEventListener('click', () => { $('token-panel').hidden = !$('token-panel').hidden; });
  $('token-form').addEventListener('submit', e => {
    e.preventDefault();
    setToken($('token-input').value);
    $('token-input').value = '';
    openTokenPanel(); // a new token: the last one's refusal no longer applies
    start();
  });
  $('token-clear').addEventListener('click', () => {
    setToken('');
    start();
  });
}

function renderCrumbs() {
  const box = $('crumbs');
  const items = state.crumbs.map((c, i) => [
    i > 0 ? h('span', { class: 'hint' }, '›') : null,
    i === state.crumbs.length - 1
      ? h('b', {}, orgName(c.id, c.name))
      : h('button', { type: 'button', onclick: () => { state.crumbs = state.crumbs.slice(0, i + 1); scopeTo(c.id, false); } }, orgName(c.id, c.name)),
  ]);
  clear(box, items.length ? items : null);
}

/** Narrows (or widens, from the crumbs) every section to an organisation's subtree. */
function scopeTo(org, push = true) {
  state.org = org;
  $('scope-org').value = org;
  if (push && !state.crumbs.some(c => c.id === org)) state.crumbs.push({ id: org, name: state.knownOrgs.get(org) || '' });
  state.riskPage = 1;
  state.rosterPage = 1;
  renderCrumbs();
  loadScoped();
}

function setupScope() {
  $('scope-apply').addEventListener('click', () => {
    const org = $('scope-org').value.trim();
    state.side = $('scope-side').value;
    state.month = $('scope-month').value;
    if (org && org !== state.org) {
      // A typed organisation starts the trail afresh (the page does not know where it sits), unless it is on the trail.
      const at = state.crumbs.findIndex(c => c.id === org);
      state.crumbs = at >= 0 ? state.crumbs.slice(0, at + 1) : [{ id: org, name: state.knownOrgs.get(org) || '' }];
      scopeTo(org, false);
    } else {
      loadScoped();
      loadFlows();
    }
  });
  $('scope-org').addEventListener('keydown', e => { if (e.key === 'Enter') $('scope-apply').click(); });
  $('scope-side').addEventListener('change', () => { state.side = $('scope-side').value; state.rosterPage = 1; state.riskPage = 1; loadRisks(); loadRoster(); });
  $('scope-month').addEventListener('change', () => { state.month = $('scope-month').value; loadCoverage(); loadFlows(); });
}

async function loadMonths() {
  const res = await get('/api/coverage/months');
  const select = $('scope-month');
  const keep = state.month;
  clear(select, h('option', { value: '' }, '当前 now'),
    res.ok ? res.data.map(m => h('option', { value: m }, `${m} 月末 month end`)) : null);
  select.value = keep;
}

// ── coverage ────────────────────────────────────────────────────────────────────────────────────────────────────

const gaugeMetrics = [
  ['ReportRate', '报到率', 'report rate', fig => fig.all.reportRate],
  ['CoverageRate', '纳管率', 'coverage rate', fig => fig.all.coverageRate],
  ['EffectiveCoverage', '有效纳管率', 'effective coverage', fig => fig.all.effectiveCoverageRate],
  ['InProvinceCoverage', '省内纳管率', 'in-province', fig => fig.inProvince.coverageRate],
  ['OutOfProvinceCoverage', '省外纳管率', 'out-of-province', fig => fig.outOfProvince.coverageRate],
  ['ContactRate', '联系达标率', 'contact rate', fig => fig.all.contactRate],
  ['ParticipationRate', '组织生活参与率', 'participation', fig => fig.all.participationRate],
  ['TransferRate', '转接率', 'transfer rate', fig => fig.all.transferRate],
];

async function loadCoverage() {
  const name = 'coverage';
  const body = $('coverage-body');
  const t = ticket(name);
  setState(name, 'loading');
  const params = { org: state.org, month: state.month || undefined };
  const [res, children] = await Promise.all([get('/api/coverage', params), get('/api/coverage/children', params)]);
  if (stale(name, t)) return;
  if (!res.ok) {
    $('coverage-asof').textContent = '';
    return failed(name, body, res, { zh: '纳管统计', en: 'coverage figures' });
  }
  const fig = res.data;
  remember(fig.orgId, fig.orgName);
  const crumb = state.crumbs.find(c => c.id === fig.orgId);
  if (crumb && !crumb.name) { crumb.name = fig.orgName; renderCrumbs(); }
  $('coverage-asof').textContent = `${fig.orgName}（${fig.orgId}）· ${fig.frozen ? `${fig.month} 月末冻结 frozen` : '截至 as of'} ${f.time(fig.asOf)}`;

  const targets = new Map((fig.targets || []).map(t => [t.metric, t]));
  const all = fig.all;
  const kpis = h('div', { class: 'kpis' },
    kpi('流出党员', 'N_out', all.nOut, 'coverage-nout'),
    kpi('已报到', 'reported', all.reported, 'coverage-reported'),
    kpi('已纳管', 'placed', all.placed, 'coverage-placed'),
    kpi('有效纳管', 'effective', all.effectivelyCovered, 'coverage-effective'),
    kpi('转接中', 'transferring', all.transferring, 'coverage-transferring'),
    kpi('失联', 'lost contact', all.lostContact, 'coverage-lost'),
    kpi('流入管理数', 'N_in · 不与流出数相加', fig.nIn, 'coverage-nin', 'separate'));

  const gauges = h('div', { class: 'gauges' }, gaugeMetrics.map(([metric, zh, en, pick]) => {
    const target = targets.get(metric);
    const value = pick(fig);
    return h('div', { class: 'gauge', 'data-testid': `gauge-${metric}` },
      gauge(value, target ? Number(target.target) : null, `rate-${metric}`),
      h('div', { class: 'label' }, zh, ' ', h('small', {}, en)),
      target
        ? h('div', { class: `target ${target.met ? 'met' : 'missed'}`, 'data-testid': `target-${metric}`, 'data-target': target.target, 'data-met': String(target.met) },
          `${target.year} 年目标 ${f.pct(Number(target.target))} · ${target.met ? '已达标 met' : '未达标 not met'}`)
        : h('div', { class: 'target' }, '未设目标 no target'));
  }));

  const bars = inOutBars([
    { key: 'report', label: '报到率 report', inValue: fig.inProvince.reportRate, outValue: fig.outOfProvince.reportRate, inTarget: null, outTarget: null },
    {
      key: 'coverage', label: '纳管率 coverage', inValue: fig.inProvince.coverageRate, outValue: fig.outOfProvince.coverageRate,
      inTarget: targets.has('InProvinceCoverage') ? Number(targets.get('InProvinceCoverage').target) : null,
      outTarget: targets.has('OutOfProvinceCoverage') ? Number(targets.get('OutOfProvinceCoverage').target) : null,
    },
    { key: 'effective', label: '有效纳管 effective', inValue: fig.inProvince.effectiveCoverageRate, outValue: fig.outOfProvince.effectiveCoverageRate, inTarget: null, outTarget: null },
    { key: 'contact', label: '联系达标 contact', inValue: fig.inProvince.contactRate, outValue: fig.outOfProvince.contactRate, inTarget: null, outTarget: null },
  ]);

  const inOut = h('div', {},
    h('h3', {}, '省内 / 省外 ', h('small', {}, 'in-province vs out-of-province')),
    h('div', { class: 'legend' },
      h('span', {}, h('i', { style: { background: '#1f5fa8' } }), '省内 in-province · N_out ', num(fig.inProvince.nOut, 'inprov-nout')),
      h('span', {}, h('i', { style: { background: '#c99a2e' } }), '省外 out-of-province · N_out ', num(fig.outOfProvince.nOut, 'outprov-nout')),
      h('span', {}, h('i', { style: { background: '#1f2430', width: '3px' } }), '目标 target')),
    bars);

  const yearTable = h('div', {},
    h('h3', {}, '本年累计 ', h('small', {}, 'year to date')),
    h('table', { class: 'labels-wrap' }, h('tbody', {},
      h('tr', {}, h('th', {}, '走访慰问 · 流出地 care visits by the outflow side'), h('td', { class: 'n' }, num(fig.careVisitsOutflowYearToDate, 'care-outflow'))),
      h('tr', {}, h('th', {}, '走访慰问 · 流入地 care visits by the inflow side'), h('td', { class: 'n' }, num(fig.careVisitsInflowYearToDate, 'care-inflow'))),
      h('tr', {}, h('th', {}, '已转接组织关系 transferred'), h('td', { class: 'n' }, num(all.transferredYearToDate, 'transferred-ytd'))),
      h('tr', {}, h('th', {}, '流入地已纳管 placed here (inflow count)'), h('td', { class: 'n' }, num(fig.nInPlaced, 'coverage-nin-placed'))),
      h('tr', {}, h('th', {}, '流入管理对象获走访 · 流出地 / 流入地 care visits to the members managed here, by each side'),
        h('td', { class: 'n' }, num(fig.nInCareVisitsOutflowYearToDate, 'nin-care-outflow'), ' / ', num(fig.nInCareVisitsInflowYearToDate, 'nin-care-inflow'))))));

  let childBlock = null;
  if (children.ok && children.data.length) {
    const rows = children.data.map(c => {
      remember(c.orgId, c.orgName);
      const bar = rate => h('span', {}, h('span', { class: 'minibar' }, h('span', { style: { width: `${Math.round(Math.max(0, Math.min(1, rate || 0)) * 100)}%` } })), f.pct(rate));
      return h('tr', { class: 'clickable', 'data-testid': 'child-row', 'data-org': c.orgId, title: '下钻 drill down', onclick: () => scopeTo(c.orgId) },
        h('td', {}, c.orgName, ' ', h('small', {}, c.orgId)),
        h('td', { class: 'n' }, num(c.all.nOut, 'child-nout')),
        h('td', {}, bar(c.all.reportRate)),
        h('td', {}, bar(c.all.coverageRate)),
        h('td', { class: 'n' }, f.pct(c.all.effectiveCoverageRate)),
        h('td', { class: 'n' }, f.pct(c.inProvince.coverageRate)),
        h('td', { class: 'n' }, f.pct(c.outOfProvince.coverageRate)),
        h('td', { class: 'n' }, f.count(c.nIn)));
    });
    childBlock = h('div', {},
      h('h3', {}, '下级组织 ', h('small', {}, 'children — click to drill down')),
      h('div', { class: 'tablewrap' }, h('table', { 'data-testid': 'children-table' },
        h('thead', {}, h('tr', {}, h('th', {}, '组织 org'), h('th', { class: 'n' }, 'N_out'), h('th', {}, '报到率'), h('th', {}, '纳管率'),
          h('th', { class: 'n' }, '有效纳管'), h('th', { class: 'n' }, '省内纳管'), h('th', { class: 'n' }, '省外纳管'), h('th', { class: 'n' }, 'N_in'))),
        h('tbody', {}, rows))));
  }

  clear(body, kpis, gauges, h('div', { class: 'split' }, inOut, yearTable), childBlock);
  setState(name, 'ready');
}

// ── risks ───────────────────────────────────────────────────────────────────────────────────────────────────────

async function loadRisks() {
  const name = 'risks';
  const body = $('risks-body');
  const t = ticket(name);
  setState(name, 'loading');
  const scope = { org: state.org, side: state.side };
  const [counts, list] = await Promise.all([
    get('/api/risks', scope),
    get(`/api/risks/${state.risk}`, { ...scope, page: state.riskPage, pageSize: 10 }),
  ]);
  if (stale(name, t)) return;
  if (!counts.ok) {
    $('risks-asof').textContent = '';
    return failed(name, body, counts, { zh: '风险名单', en: 'the risk lists' });
  }
  $('risks-asof').textContent = `判定时点 judged at ${f.time(counts.data.at)}`;
  const tiles = h('div', { class: 'risk-tiles' }, f.riskFlags.map(flag => {
    const key = flag.charAt(0).toLowerCase() + flag.slice(1);
    return h('button', {
      type: 'button', class: 'risk-tile' + (flag === 'LostContact' || flag === 'LongIdle' ? ' severe' : ''),
      'aria-pressed': String(flag === state.risk), 'data-testid': `risk-tile-${flag}`,
      onclick: () => { state.risk = flag; state.riskPage = 1; loadRisks(); },
    }, h('div', { class: 'value' }, num(counts.data[key], `risk-count-${flag}`)),
    h('div', {}, f.riskLabels[flag]), h('div', { class: 'hint' }, f.riskEnglish[flag]));
  }));
  let listBlock;
  if (!list.ok) {
    listBlock = problem('risks', list, { zh: '风险名单', en: 'the risk list' });
  } else if (!list.data.items.length) {
    listBlock = h('div', { class: 'notice empty', 'data-testid': 'risk-list-empty' }, `无「${f.riskLabels[state.risk]}」人员。Nobody on this list.`);
  } else {
    const dateOf = f.riskDate[state.risk];
    listBlock = h('div', {},
      h('div', { class: 'tablewrap' }, h('table', { 'data-testid': 'risk-list' },
        h('thead', {}, h('tr', {}, h('th', {}, '姓名 name'), h('th', {}, '状态'), h('th', {}, '流出组织 outflow org'), h('th', {}, '去向 / 流入'), h('th', {}, '依据日期 since'))),
        h('tbody', {}, list.data.items.map(e => h('tr', { class: 'clickable', 'data-testid': 'risk-row', 'data-member': e.memberId, onclick: () => openMember(e.memberId) },
          h('td', {}, e.name, ' ', h('small', { class: 'mono' }, e.memberId)),
          h('td', {}, statusChip(e.status)),
          h('td', {}, orgName(e.outflowOrgId, e.outflowOrgName)),
          h('td', {}, e.inflowOrgName || e.destinationPlace || f.region(e.destinationRegion)),
          h('td', {}, f.date(dateOf(e)))))))),
      pager(list.data, p => { state.riskPage = p; loadRisks(); }, 'risk-list-pager'));
  }
  clear(body, tiles, h('h3', {}, f.riskLabels[state.risk], ' ', h('small', {}, f.riskEnglish[state.risk])), listBlock);
  setState(name, 'ready');
}

// ── flow matrix ─────────────────────────────────────────────────────────────────────────────────────────────────

async function loadFlows() {
  const name = 'flows';
  const body = $('flows-body');
  const t = ticket(name);
  setState(name, 'loading');
  const res = await get('/api/flows', { level: $('flows-level').value, month: state.month || undefined });
  if (stale(name, t)) return;
  if (!res.ok) return failed(name, body, res, { zh: '全国流向矩阵（仅分析人员）', en: 'the flow matrix (analysts only: it spans every organisation)' });
  const m = res.data;
  if (!m.cells.length) {
    clear(body, h('div', { class: 'notice empty', 'data-testid': 'flows-message' }, '暂无流动数据。No open episodes.'),
      h('span', { hidden: true }, num(m.total, 'flows-total')));
    return setState(name, 'ready');
  }
  const fromTotals = new Map(), toTotals = new Map(), cell = new Map();
  for (const c of m.cells) {
    fromTotals.set(c.from, (fromTotals.get(c.from) || 0) + c.members);
    toTotals.set(c.to, (toTotals.get(c.to) || 0) + c.members);
    cell.set(`${c.from}|${c.to}`, c.members);
  }
  const MAX_ROWS = 12, MAX_COLS = 14, OTHER = '*';
  const top = (totals, n) => {
    const sorted = [...totals].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const keep = sorted.slice(0, sorted.length > n ? n - 1 : n).map(([k]) => k);
    return { keep, other: sorted.length > keep.length };
  };
  const rowsSel = top(fromTotals, MAX_ROWS), colsSel = top(toTotals, MAX_COLS);
  const rowKey = k => (rowsSel.keep.includes(k) ? k : OTHER);
  const colKey = k => (colsSel.keep.includes(k) ? k : OTHER);
  const grid = new Map();
  for (const c of m.cells) {
    const key = `${rowKey(c.from)}|${colKey(c.to)}`;
    grid.set(key, (grid.get(key) || 0) + c.members);
  }
  const label = k => (k === OTHER ? '其他 others' : f.region(k));
  const rows = [...rowsSel.keep, ...(rowsSel.other ? [OTHER] : [])].map(k => ({ key: k, label: label(k), title: k === OTHER ? '其他 others' : `${label(k)} (${k})` }));
  const cols = [...colsSel.keep, ...(colsSel.other ? [OTHER] : [])].map(k => ({ key: k, label: label(k), title: k === OTHER ? '其他 others' : `${label(k)} (${k})` }));
  const sum = (pred) => m.cells.filter(pred).reduce((a, c) => a + c.members, 0);
  const chart = heatmap(rows, cols, (r, c) => grid.get(`${r}|${c}`) || 0,
    r => sum(c => rowKey(c.from) === r), c => sum(x => colKey(x.to) === c));

  const biggest = m.cells.slice(0, 5).map(c => h('li', { 'data-testid': 'flow-top' },
    `${f.region(c.from)} → ${f.region(c.to)}：`, h('b', {}, f.count(c.members)), ' 人，占', f.region(c.from), '流出的 ',
    f.pct(c.members / fromTotals.get(c.from)), '。'));
  clear(body,
    h('div', { class: 'legend' },
      h('span', {}, '在外党员（按流出地统计一次）open episodes: ', h('b', {}, num(m.total, 'flows-total'))),
      h('span', {}, `${m.cells.length} 个流向 flows · ${fromTotals.size} → ${toTotals.size} 个地区`),
      h('span', {}, `截至 ${f.time(m.asOf)}`)),
    h('div', { class: 'tablewrap' }, chart),
    h('h3', {}, '主要流向 ', h('small', {}, 'largest flows')),
    h('ul', {}, biggest));
  setState(name, 'ready');
}

// ── roster ──────────────────────────────────────────────────────────────────────────────────────────────────────

function setupRoster() {
  const statuses = ['Outflowed', 'Reported', 'Placed', 'Transferring', 'LostContact', 'Suspended', 'Returned', 'Transferred'];
  clear($('roster-status'), h('span', { class: 'hint' }, '状态 status'), statuses.map(st => h('button', {
    type: 'button', 'aria-pressed': 'false', 'data-status': st, title: f.statusEnglish[st],
    onclick: e => {
      if (state.rosterStatuses.has(st)) state.rosterStatuses.delete(st); else state.rosterStatuses.add(st);
      e.currentTarget.setAttribute('aria-pressed', String(state.rosterStatuses.has(st)));
      state.rosterPage = 1;
      loadRoster();
    },
  }, f.statusLabels[st])));
  clear($('roster-risk'), h('option', { value: '' }, '全部 any'), f.riskFlags.map(r => h('option', { value: r }, f.riskLabels[r])));
  for (const id of ['roster-risk', 'roster-inprovince', 'roster-sort', 'roster-desc', 'roster-size'])
    $(id).addEventListener('change', () => { state.rosterPage = 1; loadRoster(); });
  $('roster-region').addEventListener('change', () => { state.rosterPage = 1; loadRoster(); });
}

async function loadRoster() {
  const name = 'roster';
  const body = $('roster-body');
  const t = ticket(name);
  setState(name, 'loading');
  const region = $('roster-region').value.trim();
  const res = await get('/api/roster', {
    org: state.org, side: state.side, status: [...state.rosterStatuses], risk: $('roster-risk').value,
    region: region || undefined, inProvince: $('roster-inprovince').value, // a bad prefix: the endpoint's 400 says why
    sort: $('roster-sort').value, desc: $('roster-desc').checked ? 'true' : undefined,
    page: state.rosterPage, pageSize: $('roster-size').value,
  });
  if (stale(name, t)) return;
  if (!res.ok) return failed(name, body, res, { zh: '流动党员名册', en: 'the roster' });
  const page = res.data;
  if (!page.items.length) {
    clear(body, h('div', { class: 'notice empty', 'data-testid': 'roster-empty' }, '没有符合条件的党员。No member matches.'),
      h('span', { hidden: true }, num(page.total, 'roster-pager-total')));
    return setState(name, 'ready');
  }
  const rows = page.items.map(e => h('tr', { class: 'clickable' + (e.memberId === state.memberId ? ' selected' : ''), 'data-testid': 'roster-row', 'data-member': e.memberId, onclick: () => openMember(e.memberId) },
    h('td', {}, h('b', {}, e.name), h('div', { class: 'mono hint' }, e.memberId)),
    h('td', { class: 'mono' }, e.idNumber, h('div', {}, e.phone)),
    h('td', {}, statusChip(e.status), ' ', riskChips(e.risks)),
    h('td', {}, orgName(e.outflowOrgId, e.outflowOrgName)),
    h('td', {}, e.inflowOrgName || h('span', { class: 'hint' }, '未报到 not reported'), h('div', { class: 'hint' }, e.destinationPlace || f.region(e.destinationRegion), e.inProvince ? ' · 省内' : ' · 省外')),
    h('td', {}, f.reasonLabels[e.reason] || e.reason),
    h('td', {}, f.date(e.registeredAt)),
    h('td', {}, f.date(e.reportedAt)),
    h('td', {}, f.date(e.lastContactAt)),
    h('td', {}, f.date(e.lastActivityAt))));
  clear(body,
    h('div', { class: 'tablewrap' }, h('table', { 'data-testid': 'roster-table' },
      h('thead', {}, h('tr', {}, h('th', {}, '姓名 name'), h('th', {}, '身份证 / 电话 ID / phone'), h('th', {}, '状态 / 风险'),
        h('th', {}, '流出组织 outflow org'), h('th', {}, '流入组织 / 去向 inflow'), h('th', {}, '原因'), h('th', {}, '外出登记'),
        h('th', {}, '报到'), h('th', {}, '最近联系'), h('th', {}, '最近组织生活'))),
      h('tbody', {}, rows))),
    pager(page, p => { state.rosterPage = p; loadRoster(); }, 'roster-pager'));
  setState(name, 'ready');
}

// ── agreements ──────────────────────────────────────────────────────────────────────────────────────────────────

async function loadAgreements() {
  const name = 'agreements';
  const body = $('agreements-body');
  const select = $('agreement-select');
  const t = ticket(name);
  setState(name, 'loading');
  const res = await get('/api/agreements', { pageSize: 500 });
  if (stale(name, t)) return;
  if (!res.ok) {
    clear(select);
    select.hidden = true;
    return failed(name, body, res, { zh: '共管协议', en: 'co-management agreements' });
  }
  // The newest 500 (the endpoint's largest page); an organisation is party to far fewer.
  const list = res.data.items;
  select.hidden = !list.length;
  if (!list.length) {
    clear(select);
    clear(body, h('div', { class: 'notice empty', 'data-testid': 'agreements-message' }, '本组织未参与任何共管协议。No agreement your organisation is party to.'));
    return setState(name, 'ready');
  }
  clear(select, list.map(a => h('option', { value: a.agreementId }, a.title)));
  if (!list.some(a => a.agreementId === state.agreementId)) state.agreementId = list[0].agreementId;
  select.value = state.agreementId;
  await loadAgreement();
}

async function loadAgreement() {
  const name = 'agreements';
  const body = $('agreements-body');
  const t = ticket(name);
  setState(name, 'loading');
  const res = await get(`/api/agreements/${encodeURIComponent(state.agreementId)}`, { set: state.agreementSet, page: state.agreementPage, pageSize: 20 });
  if (stale(name, t)) return;
  if (!res.ok) return failed(name, body, res, { zh: '该协议的双向视图', en: "this agreement's bilateral view" });
  const v = res.data, a = v.agreement, tot = v.totals;
  remember(a.outflowDepartmentId, a.outflowDepartmentName);
  remember(a.inflowDepartmentId, a.inflowDepartmentName);

  const parties = h('div', { class: 'parties' },
    h('span', { class: 'chip side-Outflow' }, '流出地 ', a.outflowDepartmentName || a.outflowDepartmentId),
    h('span', { class: 'arrow' }, '⇄'),
    h('span', { class: 'chip side-Inflow' }, '流入地 ', a.inflowDepartmentName || a.inflowDepartmentId),
    a.extraPartyIds.length ? h('span', { class: 'hint' }, '另有 also: ', a.extraPartyIds.join('、')) : null,
    h('span', { class: 'hint' }, `签订 signed ${f.date(a.signedAt)} · 信息共享时限 sharing duty ${a.informationSharingDays} 天`),
    a.endedAt ? h('span', { class: 'chip status-Suspended' }, `已终止 ended ${f.date(a.endedAt)}`) : null,
    a.commitments.map(c => h('span', { class: 'chip' }, f.commitmentLabels[c] || c)));

  const kpis = h('div', { class: 'kpis' },
    kpi('覆盖党员', 'covered', tot.members, 'agreement-members'),
    kpi('已报到', 'reported', tot.reported, 'agreement-reported'),
    kpi('已纳管', 'placed', tot.placed, 'agreement-placed'),
    kpi('超期未报到', `unreported past ${a.informationSharingDays}-day duty`, tot.notReportedPastDuty, 'agreement-not-reported-past-duty'),
    kpi('流入地发现', 'found at the inflow side', tot.foundByInflow, 'agreement-found-by-inflow'),
    kpi('逾期事项', 'overdue action items', v.overdueActionItems, 'agreement-overdue-items'),
    h('div', { class: 'kpi' }, h('div', { class: 'label' }, '登记→报到 ', h('small', {}, 'report lag avg / median')),
      h('div', { class: 'value' }, h('span', { 'data-testid': 'agreement-lag-avg', 'data-value': tot.averageReportLagDays ?? '' }, tot.averageReportLagDays == null ? '—' : tot.averageReportLagDays.toFixed(1)),
        ' / ', h('span', { 'data-testid': 'agreement-lag-median', 'data-value': tot.medianReportLagDays ?? '' }, tot.medianReportLagDays == null ? '—' : tot.medianReportLagDays.toFixed(1)),
        h('small', {}, ' 天'))));

  const kinds = [['registrations', '外出登记'], ['reportsReceived', '接收报到'], ['placements', '编入纳管'], ['contacts', '联系'], ['activities', '组织生活'], ['careVisits', '走访慰问']];
  const mirror = mirrorBars(kinds.map(([key, label]) => ({ key, label, outflow: tot.outflow[key], inflow: tot.inflow[key] })));

  const sets = [['All', '全部 all'], ['NotReportedPastDuty', '超期未报到 unreported past duty'], ['FoundByInflow', '流入地发现 found by inflow'], ['Reported', '已报到 reported'], ['NotReported', '未报到 not reported']];
  const tabs = h('div', { class: 'tabs' }, sets.map(([key, label]) => h('button', {
    type: 'button', 'aria-pressed': String(key === state.agreementSet), 'data-testid': `agreement-set-${key}`,
    onclick: () => { state.agreementSet = key; state.agreementPage = 1; loadAgreement(); },
  }, label)));

  const members = v.members.items.length
    ? h('div', {},
      h('div', { class: 'tablewrap' }, h('table', { 'data-testid': 'agreement-members-table' },
        h('thead', {}, h('tr', {}, h('th', {}, '姓名'), h('th', {}, '状态'), h('th', {}, '登记 registered by'), h('th', {}, '接收报到 report received'),
          h('th', {}, '纳管 placed by'), h('th', { class: 'n' }, '联系 出/入'), h('th', { class: 'n' }, '组织生活 出/入'), h('th', { class: 'n' }, '走访 出/入'), h('th', { class: 'n' }, '报到用时'), h('th', {}, ''))),
        h('tbody', {}, v.members.items.map(m => h('tr', { class: 'clickable', 'data-testid': 'agreement-member-row', 'data-member': m.memberId, onclick: () => openMember(m.memberId) },
          h('td', {}, h('b', {}, m.name), h('div', { class: 'mono hint' }, m.memberId)),
          h('td', {}, statusChip(m.status)),
          h('td', {}, f.date(m.registeredAt), h('div', { class: 'hint' }, m.registeredByOrg || '', ' ', sideChip(m.registeredBySide))),
          h('td', {}, m.reportedAt ? [f.date(m.reportedAt), h('div', { class: 'hint' }, m.reportReceivedByOrg || '')] : h('span', { class: 'hint' }, '—')),
          h('td', {}, m.placedAt ? [f.date(m.placedAt), h('div', { class: 'hint' }, m.placedByOrg || '', m.branchId ? ` → ${m.branchId}` : '')] : h('span', { class: 'hint' }, '—')),
          h('td', { class: 'n' }, `${m.contactsOutflow} / ${m.contactsInflow}`),
          h('td', { class: 'n' }, `${m.activitiesOutflow} / ${m.activitiesInflow}`),
          h('td', { class: 'n' }, `${m.careVisitsOutflow} / ${m.careVisitsInflow}`),
          h('td', { class: 'n' }, m.reportLagDays == null ? '—' : `${m.reportLagDays.toFixed(0)} 天`),
          h('td', {}, m.notReportedPastDuty ? h('span', { class: 'chip risk' }, '超期未报到') : null,
            m.foundByInflow ? h('span', { class: 'chip side-Inflow' }, '流入地发现') : null)))))),
      pager(v.members, p => { state.agreementPage = p; loadAgreement(); }, 'agreement-pager'))
    : h('div', { class: 'notice empty' }, '此类别无党员。Nobody in this set.');

  const SHOWN = 3;
  const consultationBox = (c, index) => h('div', { class: 'consultation', 'data-testid': 'consultation', hidden: index >= SHOWN },
      h('h4', {}, `${f.date(c.heldAt)} · ${c.topic}`),
      h('ul', {}, c.actionItems.map(i => h('li', { 'data-testid': 'action-item', 'data-overdue': String(i.overdue) },
        sideChip(i.owner), ' ', i.text, ' ',
        i.completedAt ? h('span', { class: i.overdue ? 'item-overdue' : 'item-done' },
            `✓ ${f.date(i.completedAt)} 完成${i.overdue ? ` · ⚠ 逾期 late (due ${f.date(i.dueAt)})` : ''}`)
          : h('span', { class: i.overdue ? 'item-overdue' : 'hint' }, `${i.overdue ? '⚠ 逾期 overdue' : '期限 due'} ${f.date(i.dueAt)}`)))));
  // Newest first; the older ones behind a button (the overdue count stays in the heading).
  const boxes = v.consultations.slice().reverse().map(consultationBox);
  const more = boxes.filter(b => b.hidden).length;
  const consultations = boxes.length
    ? [boxes, more ? h('button', {
      type: 'button', 'data-testid': 'consultations-more',
      onclick: e => { boxes.forEach(b => { b.hidden = false; }); e.currentTarget.remove(); },
    }, `显示其余 ${more} 次会商 show ${more} more`) : null]
    : h('div', { class: 'notice empty' }, '尚未会商。No consultation yet.');

  clear(body, parties, kpis,
    h('div', { class: 'split' },
      h('div', {}, h('h3', {}, '双方履职 ', h('small', {}, "each side's actions on the covered members")), mirror),
      h('div', {}, h('h3', {}, '会商与事项 ', h('small', {}, `consultations (${v.consultations.length}) and action items · 逾期 ${v.overdueActionItems}`)),
        h('div', { class: 'consultations' }, consultations))),
    h('h3', {}, '覆盖党员 ', h('small', {}, 'covered members')), tabs, members);
  section(name).dataset.agreement = a.agreementId;
  setState(name, 'ready');
}

// ── member timeline ─────────────────────────────────────────────────────────────────────────────────────────────

function openMember(memberId) {
  state.memberId = memberId;
  $('member-input').value = memberId;
  const url = new URL(window.location.href);
  url.hash = `member=${encodeURIComponent(memberId)}`;
  window.history.replaceState(null, '', url.pathname + url.search + url.hash);
  loadTimeline();
  section('timeline').scrollIntoView({ behavior: 'smooth', block: 'start' });
}

function eventSummary(type, data) {
  if (!data || typeof data !== 'object') return [];
  const skip = new Set(['memberId', 'episode']);
  const show = (k, v) => {
    if (v === null || v === undefined || v === '') return null;
    if (typeof v === 'object') v = v.value ?? v.code ?? JSON.stringify(v);
    if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v)) v = f.time(v);
    if (k === 'side') v = f.sideLabels[v] || v;
    if (k === 'reason') v = f.reasonLabels[v] || v;
    if (k === 'destination') v = `${f.region(v)} (${v})`;
    return h('span', {}, h('b', {}, k, ': '), String(v));
  };
  return Object.entries(data).filter(([k]) => !skip.has(k)).map(([k, v]) => show(k, v));
}

function verifyBadge(res) {
  if (!res.ok) return h('span', { class: 'badge pending', 'data-testid': 'verify-badge', 'data-intact': '' }, '未校验 not verified');
  const r = res.data;
  const broken = r.firstBroken;
  if (!broken) {
    return h('span', { class: 'badge ok', 'data-testid': 'verify-badge', 'data-intact': 'true', title: `${r.eventsChecked} events checked` },
      '✔ 链完整 chain intact', h('small', {}, ` · ${r.eventsChecked} 条事件已校验`));
  }
  const where = broken.version != null ? `第 ${broken.version} 条 version ${broken.version}${broken.position != null ? ` (position ${broken.position})` : ''}`
    : broken.sealNo != null ? `封签 seal ${broken.sealNo}` : '';
  return h('div', { class: 'broken-box' },
    h('span', { class: 'badge broken', 'data-testid': 'verify-badge', 'data-intact': 'false', 'data-broken-version': broken.version ?? '' },
      `✘ 链断裂 chain broken at ${where}`),
    h('div', { class: 'hint mono', 'data-testid': 'verify-reason' }, `首个断点 first broken link: ${broken.reason}`));
}

async function loadTimeline() {
  const name = 'timeline';
  const body = $('timeline-body');
  const id = state.memberId;
  if (!id) {
    clear(body, h('div', { class: 'notice empty' }, '在名册、风险名单或协议中点选党员，或输入党员编号。Pick a member in a list above, or type a member id.'));
    return setState(name, 'idle');
  }
  const t = ticket(name);
  setState(name, 'loading');
  const isAuditor = state.who && state.who.role === 'auditor';
  const enc = encodeURIComponent(id);
  const [history, verify, row] = await Promise.all([
    get(`/api/audit/members/${enc}/history`),
    isAuditor ? get(`/api/audit/members/${enc}/verify`) : Promise.resolve(null),
    isAuditor ? Promise.resolve(null) : get(`/api/roster/${enc}`),
  ]);
  if (stale(name, t)) return;

  const parts = [];
  if (row && row.ok) {
    const e = row.data;
    parts.push(h('div', { class: 'member-head' }, h('b', {}, e.name), h('span', { class: 'mono' }, e.memberId), statusChip(e.status), riskChips(e.risks)),
      h('div', { class: 'state-grid', 'data-testid': 'roster-entry' },
        h('div', {}, h('b', {}, '身份证'), h('span', { class: 'mono' }, e.idNumber)),
        h('div', {}, h('b', {}, '电话'), h('span', { class: 'mono' }, e.phone)),
        h('div', {}, h('b', {}, '流出组织'), orgName(e.outflowOrgId, e.outflowOrgName)),
        h('div', {}, h('b', {}, '流入组织'), orgName(e.inflowOrgId, e.inflowOrgName)),
        h('div', {}, h('b', {}, '去向'), e.destinationPlace || f.region(e.destinationRegion)),
        h('div', {}, h('b', {}, '外出登记'), f.date(e.registeredAt)),
        h('div', {}, h('b', {}, '报到'), f.date(e.reportedAt)),
        h('div', {}, h('b', {}, '纳管'), f.date(e.placedAt)),
        h('div', {}, h('b', {}, '联系 出/入'), `${e.contactsOutflow} / ${e.contactsInflow}`),
        h('div', {}, h('b', {}, '组织生活 出/入'), `${e.activitiesOutflow} / ${e.activitiesInflow}`)));
  } else if (row && !row.ok && row.status !== 403) {
    parts.push(problem('timeline-entry', row, { zh: '该党员的名册信息', en: "this member's roster row" }));
  }

  if (!history.ok) {
    parts.push(problem(name, history, { zh: '党员履历与链校验（仅限审计人员，且每次查阅均留痕）', en: "a member's full history and chain verification (auditors only; every read is logged)" }));
    clear(body, parts);
    return setState(name, history.status === 403 ? 'forbidden' : 'error');
  }

  const hist = history.data;
  const brokenVersion = verify && verify.ok && verify.data.firstBroken ? verify.data.firstBroken.version : null;
  parts.push(h('div', { class: 'member-head' },
    verifyBadge(verify || { ok: false }),
    h('span', {}, '党员 ', h('b', { class: 'mono' }, hist.memberId)),
    h('span', {}, '版本 version ', h('b', { 'data-testid': 'timeline-version', 'data-value': hist.version }, hist.version)),
    h('span', {}, '所属组织 owning org ', h('b', {}, hist.owningOrganization || '—')),
    hist.masked ? h('span', { class: 'chip', title: 'ID and phone numbers masked: your organisation does not own this record' }, '已脱敏 masked') : null));

  const stateForm = h('form', { class: 'filters', 'data-testid': 'state-form' },
    h('label', {}, '回溯状态 state as of (北京时间)', h('input', { type: 'datetime-local', id: 'state-at', 'data-testid': 'state-at' })),
    h('button', { type: 'submit' }, '查看 Show'),
    h('span', { id: 'state-out', class: 'hint' }));
  stateForm.addEventListener('submit', async e => {
    e.preventDefault();
    const at = f.fromBeijingInput($('state-at').value);
    const res = await get(`/api/audit/members/${enc}/state`, { businessTime: at || undefined });
    const out = $('state-out');
    if (!res.ok) { clear(out, problem('state', res, { zh: '回溯状态', en: 'the state' })); return; }
    const st = res.data.state || {};
    const ep = st.episode || {};
    clear(out, h('span', { 'data-testid': 'state-result' }, `v${res.data.version} · `, statusChip(st.status || (ep.outcome ? ep.outcome : 'Outflowed')),
      ` 第 ${st.episodeCount ?? '—'} 次外出 · 去向 ${ep.destinationPlace || '—'} · 流入 ${ep.inflowOrgId || '—'}`));
  });
  parts.push(stateForm);

  parts.push(h('ol', { class: 'timeline', 'data-testid': 'timeline' }, hist.events.map(e => h('li', {
    class: `side-${e.side || 'none'}${brokenVersion === e.version ? ' broken' : ''}`, 'data-testid': 'timeline-event', 'data-version': e.version, 'data-type': e.type,
  },
  h('div', { class: 'ev-head' },
    h('span', { class: 'mono hint' }, `#${e.version}`),
    h('span', { class: 'type' }, f.eventLabels[e.type] || e.type), h('small', { class: 'mono' }, e.type),
    sideChip(e.side), h('span', { class: 'hint' }, `${e.actor || '—'} @ ${e.organization || '—'}`)),
  h('div', { class: 'ev-times' },
    h('span', { 'data-testid': 'business-time' }, '业务时间 business ', h('b', {}, f.time(e.businessTime))),
    h('span', {}, '记录时间 recorded ', f.time(e.recordedTime)),
    h('span', {}, `position ${e.position}`)),
  h('div', { class: 'ev-data' }, eventSummary(e.type, e.data)),
  h('div', { class: 'ev-hash mono', title: e.hash }, 'hash ', e.hash)))));
  clear(body, parts);
  setState(name, 'ready');
}

// ── start ───────────────────────────────────────────────────────────────────────────────────────────────────────

function loadScoped() {
  loadCoverage();
  loadRisks();
  loadRoster();
}

function start() {
  state.who = claims();
  renderIdentity();
  const url = new URL(window.location.href);
  const hash = new URLSearchParams(url.hash.replace(/^#/, ''));
  if (!getToken()) openTokenPanel();
  else if (state.who) $('token-panel').hidden = true;

  const who = state.who;
  state.org = url.searchParams.get('org') || (who && who.org) || '';
  state.side = (who && who.role === 'org-staff' && who.side) || url.searchParams.get('side') || (who && who.side) || 'Outflow';
  state.memberId = hash.get('member') || url.searchParams.get('member') || state.memberId;
  state.agreementId = hash.get('agreement') || url.searchParams.get('agreement') || state.agreementId;
  $('scope-org').value = state.org;
  $('scope-side').value = state.side;
  // Staff see their own side only (the API refuses the other); say so rather than offer it.
  $('scope-side').disabled = !!(who && who.role === 'org-staff');
  $('scope-hint').textContent = who && who.role === 'org-staff' ? '工作人员仅可查看本组织及下级 staff see their own subtree and side' : '';
  state.crumbs = state.org ? [{ id: state.org, name: '' }] : [];
  if (who && who.org) remember(who.org, '');
  renderCrumbs();
  $('member-input').value = state.memberId;

  loadMonths();
  loadScoped();
  loadFlows();
  loadAgreements();
  loadTimeline();
}

adoptTokenFromUrl();
setupToken();
setupScope();
setupRoster();
$('flows-level').addEventListener('change', loadFlows);
$('agreement-select').addEventListener('change', e => { state.agreementId = e.target.value; state.agreementSet = 'All'; state.agreementPage = 1; loadAgreement(); });
$('member-form').addEventListener('submit', e => {
  e.preventDefault();
  const id = $('member-input').value.trim();
  if (id) openMember(id);
});
window.addEventListener('hashchange', () => {
  const id = new URLSearchParams(window.location.hash.replace(/^#/, '')).get('member');
  if (id && id !== state.memberId) { state.memberId = id; $('member-input').value = id; loadTimeline(); }
});
start();
