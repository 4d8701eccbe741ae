import { describe, expect, it } from 'vitest';
import { buildImpactCard, impactHint } from '../../cards/impact-card.js';
import type { ImpactRevision, ImpactView } from '../../cards/impact-model.js';
import { cardBytes, LIMITS } from '../../cards/limits.js';
import { markdownTexts } from './walk.js';

const OPTS = { timezone: 'Asia/Shanghai', locale: 'zh-CN' as const };

const INITIAL: ImpactRevision = {
  id: '6fc3f28b87c8',
  message: 'Initial Schema',
  date: '2026-01-15',
  parents: [],
  head: false,
  applied: true,
  current: true,
  drops: [
    { kind: 'index', names: ['idx_tokens_expires'] },
    { kind: 'table', names: ['tokens'] },
  ],
  rows: [{ table: 'tokens', rows: 1_234_567, approx: true }],
};
const RELEASE: ImpactRevision = {
  id: '9d4b2e7c1a35',
  message: 'Hash the <at id=all></at> state | *now*',
  parents: ['6fc3f28b87c8'],
  head: true,
  applied: false,
  current: false,
  drops: [],
  rows: [],
};
const VIEW: ImpactView = {
  targetId: 'lark-service',
  at: '2026-11-28T02:30:00.000Z',
  outcome: 'ok',
  current: ['6fc3f28b87c8'],
  revisions: [RELEASE, INITIAL],
  omitted: 2,
};

const zhOf = (view: ImpactView) =>
  (buildImpactCard(view, OPTS).body.elements as Array<{ i18n_content?: { zh_cn: string } }>)
    .map((e) => e.i18n_content?.zh_cn ?? '')
    .join('\n');

describe('the impact card', () => {
  it('shows both tables in the zh card with no English but names, code and commands', () => {
    const zh = zhOf(VIEW);
    expect(zh).toContain('| `6fc3f28b87c8` | Initial Schema | 2026-01-15 | 当前 | 删除 1 张表、1 个索引 |');
    expect(zh).toContain('| — | 未应用 | 不删除表、索引或列 |');
    expect(zh).toContain('| `tokens` | 约 1,234,567 |');
    expect(zh).toContain('另有 2 个更早的版本未分析');
    expect(zh).toContain('2026-11-28 10:30:00 +08:00');
    // Strip what may be English: code spans, the migrations' own messages, the commands and tool names.
    const rest = zh
      .replace(/`[^`]*`/g, '')
      .replace(/Initial Schema|Hash the.*?now&#42;/g, '')
      .replace(/alembic downgrade \S+ --sql|downgrade\(\)|alembic|SQL|lark-service/g, '');
    expect(rest).not.toMatch(/[A-Za-z]{2,}/);
  });

  it('escapes a migration message, so it can neither mention anyone nor break the table', () => {
    const texts = markdownTexts(buildImpactCard(VIEW, OPTS)).join('\n');
    expect(texts).not.toContain('<at id=all>');
    expect(texts).not.toMatch(/state \| \*now/);
  });

  it('an unreachable database: one element, no table', () => {
    const card = buildImpactCard(
      {
        targetId: 'lark-service',
        at: VIEW.at,
        outcome: 'unreachable',
        reason: 'connect ECONNREFUSED 127.0.0.1:1',
      },
      OPTS,
    );
    expect(card.body.elements).toHaveLength(1);
    expect(card.header.template).toBe('red');
    expect(markdownTexts(card).join('\n')).not.toContain('迁移版本');
  });

  it('fits Lark’s limits with many revisions', () => {
    const many = Array.from({ length: 200 }, (_, i) => ({
      ...INITIAL,
      id: `rev${String(i).padStart(9, '0')}`,
    }));
    const card = buildImpactCard({ ...VIEW, revisions: many }, OPTS);
    expect(cardBytes(card)).toBeLessThanOrEqual(LIMITS.cardBytes);
    const texts = markdownTexts(card).join('\n');
    expect(texts).toContain('rev000000000');
    expect(texts).toMatch(/… 另有 \d+ 个版本未列出/);
  });

  it('the approval card hint names the command for the run’s target', () => {
    expect(impactHint('orders-db')['zh-CN']).toContain('发送 `/rollback impact orders-db`');
  });
});
