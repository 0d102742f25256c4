// Formatting and labels: numbers, rates, Beijing time, and the Chinese names of the API's enum values.
import { provinces, cities, counties } from './regions.js';

/** 1234567 → "1,234,567" (fixed, not the browser's locale, so a number reads the same everywhere). */
export function count(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A fraction as a percentage with one decimal: 0.8571 → "85.7%"; null (nothing to divide by) → "—". */
export function pct(rate) {
  if (rate === null || rate === undefined || Number.isNaN(rate)) return '—';
  return (rate * 100).toFixed(1) + '%';
}

export function days(d) {
  if (d === null || d === undefined) return '—';
  return d.toFixed(1) + ' 天';
}

const BEIJING = 8 * 3600 * 1000;

/** ISO time → "2025-03-10 14:05" in Beijing time (UTC+8), whatever the browser's zone. */
export function time(iso) {
  if (!iso) return '—';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return String(iso);
  return new Date(t + BEIJING).toISOString().slice(0, 16).replace('T', ' ');
}

export function date(iso) {
  return iso ? time(iso).slice(0, 10) : '—';
}

/** Beijing wall-clock "yyyy-MM-ddTHH:mm" (a datetime-local input) → ISO with +08:00. */
export function fromBeijingInput(value) {
  return value ? value + ':00+08:00' : '';
}

export function region(code) {
  if (!code) return '—';
  const c = String(code);
  const province = provinces[c.slice(0, 2)];
  if (c.length <= 2 || /^\d{2}0000$/.test(c)) return province || c;
  // "3100" (a province-level city such as Shanghai, grouped by four digits) is the province itself.
  if (/^\d{2}00$/.test(c)) return province || c;
  if (c.length === 4 || /^\d{4}00$/.test(c)) return cities[c.slice(0, 4)] || (province ? province + ' ' + c : c);
  const county = counties[c];
  if (county) return (cities[c.slice(0, 4)] || '').replace(/市$/, '') + county;
  return c;
}

export const statusLabels = {
  NotMobile: '未流动', Outflowed: '已外出未报到', Reported: '已报到', Placed: '已纳管', Transferring: '转接中',
  LostContact: '失联', Suspended: '停止党籍', Transferred: '已转出', Returned: '已返回', MembershipEnded: '党籍终止',
};

export const statusEnglish = {
  NotMobile: 'not mobile', Outflowed: 'registered, not reported', Reported: 'reported', Placed: 'placed',
  Transferring: 'transferring', LostContact: 'lost contact', Suspended: 'suspended', Transferred: 'transferred',
  Returned: 'returned', MembershipEnded: 'membership ended',
};

export const riskFlags = ['ReportOverdue', 'ContactOverdue', 'Idle', 'LongIdle', 'LostContact', 'TransferExpected'];

export const riskLabels = {
  ReportOverdue: '逾期未报到', ContactOverdue: '30天未联系', Idle: '90天未过组织生活', LongIdle: '180天未过组织生活',
  LostContact: '失联', TransferExpected: '应转接组织关系',
};

export const riskEnglish = {
  ReportOverdue: 'not reported after 90 days', ContactOverdue: 'no contact in 30 days', Idle: 'no organisational life in 90 days',
  LongIdle: 'no organisational life in 180 days', LostContact: 'lost contact', TransferExpected: 'transfer expected',
};

/** The date a risk list is sorted by, to show beside each member. */
export const riskDate = {
  ReportOverdue: e => e.movedAt || e.departedAt, ContactOverdue: e => e.lastContactAt || e.departedAt,
  Idle: e => e.lastActivityAt || e.departedAt, LongIdle: e => e.lastActivityAt || e.departedAt, LostContact: e => e.lostAt,
  TransferExpected: e => e.reportedAt,
};

export const metricLabels = {
  ReportRate: '报到率', CoverageRate: '纳管率', EffectiveCoverage: '有效纳管率', InProvinceCoverage: '省内纳管率',
  OutOfProvinceCoverage: '省外纳管率', TransferRate: '转接率', ContactRate: '联系达标率', ParticipationRate: '组织生活参与率',
};

export const sideLabels = { Outflow: '流出地', Inflow: '流入地' };

export const reasonLabels = { Work: '务工', Business: '经商', Study: '求学', Retirement: '退休随迁', Other: '其他' };

export const commitmentLabels = {
  MemberCoManagement: '党员共管', ResourceSharing: '资源共享', JointOrganisationBuilding: '组织共建',
  JointActivities: '活动共办', JointRoleEffect: '作用共促',
};

export const eventLabels = {
  'member.outflow-registered': '外出登记', 'member.reported-at-inflow': '流入地报到', 'member.placed-in-branch': '编入支部 (纳管)',
  'member.contact-logged': '联系党员', 'member.activity-attended': '参加组织生活', 'member.care-visit-recorded': '走访慰问',
  'member.appraisal-recorded': '民主评议', 'member.details-changed': '信息变更', 'member.moved-on': '再流动',
  'member.transfer-requested': '申请转接组织关系', 'member.transfer-accepted': '组织关系转入', 'member.transfer-rejected': '转接退回',
  'member.returned': '返回', 'member.lost-contact-marked': '标记失联', 'member.found-again': '重新取得联系',
  'member.membership-suspended': '停止党籍', 'member.membership-restored': '恢复党籍', 'member.suspension-concluded': '党籍处置完结',
};

/** "ReportOverdue, ContactOverdue" (a flags enum as JSON) → ["ReportOverdue", "ContactOverdue"]. */
export function flags(value) {
  if (!value || value === 'None') return [];
  if (typeof value === 'number') return riskFlags.filter((_, i) => value & (1 << i));
  return String(value).split(',').map(s => s.trim()).filter(s => s && s !== 'None');
}
