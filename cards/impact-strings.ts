import type { I18nText } from './model.js';

/**
 * The impact card's labels (`/rollback impact`), in both languages. `{name}` placeholders are filled by
 * `fill()` with already-escaped values. The Chinese names of the two tables are the seed's own headings.
 */
export const IMPACT_UI = {
  title: { 'zh-CN': '回滚影响分析', 'en-US': 'Rollback impact analysis' },
  subtitle: { 'zh-CN': '目标 {target}', 'en-US': 'target {target}' },
  preview: { 'zh-CN': '回滚影响分析 · {target}', 'en-US': 'Rollback impact · {target}' },
  target: { 'zh-CN': '**目标**：{v}', 'en-US': '**Target:** {v}' },
  current: { 'zh-CN': '**当前版本**：{v}', 'en-US': '**Current revision:** {v}' },
  currentBase: { 'zh-CN': 'base（没有已应用的迁移）', 'en-US': 'base (no migration applied)' },
  noVersionTable: {
    'zh-CN': '数据库中没有 alembic_version 表（从未迁移）',
    'en-US': 'the database has no alembic_version table (never migrated)',
  },
  at: { 'zh-CN': '**分析时间**：{v}', 'en-US': '**Analysed at:** {v}' },

  versionsHeading: { 'zh-CN': '**迁移版本**', 'en-US': '**Migration versions**' },
  versionsHeader: {
    'zh-CN': '| 版本 | 描述 | 创建日期 | 状态 | 回滚影响 |',
    'en-US': '| Revision | Description | Created | State | Rollback impact |',
  },
  stateCurrent: { 'zh-CN': '当前', 'en-US': 'current' },
  stateApplied: { 'zh-CN': '已应用', 'en-US': 'applied' },
  statePending: { 'zh-CN': '未应用', 'en-US': 'not applied' },
  noDate: { 'zh-CN': '—', 'en-US': '—' },
  dropsNothing: { 'zh-CN': '不删除表、索引或列', 'en-US': 'drops no table, index or column' },
  noSql: { 'zh-CN': '无法生成离线 SQL', 'en-US': 'no offline SQL' },
  countTables: { 'zh-CN': '{n} 张表', 'en-US': '{n} tables' },
  countTable: { 'zh-CN': '{n} 张表', 'en-US': '{n} table' },
  countIndexes: { 'zh-CN': '{n} 个索引', 'en-US': '{n} indexes' },
  countIndex: { 'zh-CN': '{n} 个索引', 'en-US': '{n} index' },
  countColumns: { 'zh-CN': '{n} 个列', 'en-US': '{n} columns' },
  countColumn: { 'zh-CN': '{n} 个列', 'en-US': '{n} column' },
  drops: { 'zh-CN': '删除 {v}', 'en-US': 'drops {v}' },
  listJoin: { 'zh-CN': '、', 'en-US': ', ' },

  analysisHeading: { 'zh-CN': '**回滚影响分析**', 'en-US': '**Rollback impact**' },
  revisionHeading: { 'zh-CN': '**版本 {id}（{message}）**', 'en-US': '**Revision {id} ({message})**' },
  revisionHeadingBare: { 'zh-CN': '**版本 {id}**', 'en-US': '**Revision {id}**' },
  operations: { 'zh-CN': '回滚操作（downgrade()）：', 'en-US': 'Rollback operations (downgrade()):' },
  dropIndex: { 'zh-CN': '删除索引 {v}', 'en-US': 'drop index {v}' },
  dropTable: { 'zh-CN': '删除表 {v}', 'en-US': 'drop table {v}' },
  dropColumn: { 'zh-CN': '删除列 {v}', 'en-US': 'drop column {v}' },
  dropIndexes: { 'zh-CN': '删除索引 {v}', 'en-US': 'drop indexes {v}' },
  dropTables: { 'zh-CN': '删除表 {v}', 'en-US': 'drop tables {v}' },
  dropColumns: { 'zh-CN': '删除列 {v}', 'en-US': 'drop columns {v}' },
  noOperations: {
    'zh-CN': '不删除任何表、索引或列（可能只修改结构，请阅读迁移脚本）',
    'en-US': 'drops no table, index or column (it may still change the schema: read the migration)',
  },
  sqlFailed: { 'zh-CN': '无法生成离线 SQL：{v}', 'en-US': 'the offline SQL could not be produced: {v}' },
  dataHeading: { 'zh-CN': '数据影响（现在的行数）：', 'en-US': 'Data impact (rows now):' },
  rowsHeader: { 'zh-CN': '| 表 | 行数 |', 'en-US': '| Table | Rows |' },
  rowsAbsent: { 'zh-CN': '不存在', 'en-US': 'not present' },
  rowsAbout: { 'zh-CN': '约 {n}', 'en-US': 'about {n}' },
  loses: {
    'zh-CN': '⚠️ 回滚此版本将丢失 {n} 行数据',
    'en-US': '⚠️ Rolling this revision back loses {n} rows',
  },
  losesOne: { 'zh-CN': '⚠️ 回滚此版本将丢失 1 行数据', 'en-US': '⚠️ Rolling this revision back loses 1 row' },
  losesNothing: { 'zh-CN': '这些表现在没有数据。', 'en-US': 'These tables hold no rows now.' },
  notApplied: {
    'zh-CN': '尚未应用：回滚不会执行它的 downgrade()。',
    'en-US': 'Not applied: no rollback runs its downgrade().',
  },
  moreRevisions: { 'zh-CN': '… 另有 {n} 个版本未列出', 'en-US': '… {n} more revisions not shown' },
  omitted: { 'zh-CN': '另有 {n} 个更早的版本未分析。', 'en-US': '{n} older revisions were not analysed.' },
  footnote: {
    'zh-CN':
      '删除内容来自 alembic 离线 SQL（alembic downgrade 版本:下一版本 --sql），行数为此刻数据库中的实际行数（大表为估计值）。',
    'en-US':
      'Drops come from alembic’s offline SQL (alembic downgrade REV:DOWN --sql); rows are counted in the database now (estimated for big tables).',
  },

  unreachable: {
    'zh-CN': '⚠️ 无法连接目标 {target} 的数据库，未做任何分析：{reason}',
    'en-US': '⚠️ The database of target {target} cannot be reached; nothing was analysed: {reason}',
  },
  noAlembic: {
    'zh-CN': '目标 {target} 没有可用的 alembic 项目，无法分析：{reason}',
    'en-US': 'Target {target} has no alembic project to analyse: {reason}',
  },
  failed: {
    'zh-CN': '影响分析失败：{reason}',
    'en-US': 'The impact analysis failed: {reason}',
  },
  /** On the approval card of a run that downgrades. */
  approvalHint: {
    'zh-CN': '🔎 **影响分析**：发送 {command} 查看每个版本回滚会删除的表、索引和现有行数',
    'en-US':
      '🔎 **Impact analysis:** send {command} to see what each revision’s rollback drops and the rows held now',
  },
  retry: {
    'zh-CN': '修复后再发送 /rollback impact {target}。',
    'en-US': 'Send /rollback impact {target} again once it is fixed.',
  },
} satisfies Record<string, I18nText>;
