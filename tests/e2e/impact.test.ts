import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildContext } from '../../src/cli/context.js';
import { startWorker } from '../../src/worker/runtime.js';
import { CHAT, type Harness, ONCALL, startHarness, textOf } from '../helpers/harness.js';
import { type LarkService, startLarkService } from '../helpers/lark-service.js';

/**
 * `/rollback impact [target]` (issue 14, item 3) through the whole bot: sandbox → server → a runner's impact
 * job (real alembic on examples/lark-service, real Postgres) → the card in the chat.
 */
let h: Harness;
let service: LarkService;
const PASSWORD = 'impact-e2e-db-password';
const DOWN_PASSWORD = 'impact-down-db-password';

beforeAll(async () => {
  service = await startLarkService(PASSWORD);
  h = await startHarness({
    env: {
      ...service.env,
      TARGETS_FILE: 'tests/fixtures/impact/targets.yaml',
      // Nothing listens on port 1: the database of this target does not answer.
      IMPACT_DOWN_DATABASE_URL: `postgresql://postgres:${DOWN_PASSWORD}@127.0.0.1:1/lark_service`,
    },
  });
}, 60_000);

afterAll(async () => {
  await h?.close();
  await service?.close();
});

type Element = { tag: string; i18n_content?: { zh_cn: string; en_us: string } };

/** Ask in the chat; the bot's answer to that message (a card or a text reply). */
async function ask(text: string) {
  const said = await h.sandbox.userSays({ chatId: CHAT, senderOpenId: ONCALL, text });
  return h.sandbox.waitFor(
    () => h.sandbox.botMessages(CHAT).find((m) => m.parentId === said.messageId),
    60_000,
  );
}

/** One language of a card's markdown, element by element. */
function cardText(message: { content: unknown }, locale: 'zh_cn' | 'en_us'): string {
  const card = message.content as { body: { elements: Element[] }; header: { title: { content: string } } };
  return card.body.elements.map((e) => e.i18n_content?.[locale] ?? `[${e.tag}]`).join('\n');
}

async function insertRows(): Promise<void> {
  for (const app of ['app_a', 'app_b', 'app_c']) await service.insertToken(app);
  for (const union of ['on_1', 'on_2']) {
    await service.client.query(
      `INSERT INTO user_cache (app_id, union_id, expires_at) VALUES ('app_a', $1, now() + interval '1 day')`,
      [union],
    );
  }
}

const INDEXES = [
  'idx_auth_session_expires',
  'idx_auth_session_state',
  'idx_user_cache_union_id',
  'idx_user_cache_user_id',
  'idx_user_cache_expires',
  'idx_tokens_expires',
];

describe('/rollback impact', () => {
  it('lists 6fc3f28b87c8 with its message and date, the three tables and six indexes its downgrade drops, and the rows now', {
    timeout: 120_000,
  }, async () => {
    await insertRows();
    const reply = await ask('/rollback impact');
    expect(reply.msgType).toBe('interactive');
    const en = cardText(reply, 'en_us');
    const zh = cardText(reply, 'zh_cn');
    // 迁移版本: the revision, its message, its date, that it is the current one, what its rollback drops.
    expect(en).toMatch(
      /\| `6fc3f28b87c8` \| Initial Schema \| 2026-01-15 \| current \| drops 3 tables, 6 indexes \|/,
    );
    expect(zh).toMatch(
      /\| `6fc3f28b87c8` \| Initial Schema \| 2026-01-15 \| 当前 \| 删除 3 张表、6 个索引 \|/,
    );
    expect(zh).toContain('**迁移版本**');
    expect(zh).toContain('**回滚影响分析**');
    // 回滚影响分析: the seed's six operations, in the downgrade's order.
    expect(en).toContain(
      [
        '1. drop indexes `idx_auth_session_expires`, `idx_auth_session_state`',
        '2. drop table `user_auth_sessions`',
        '3. drop indexes `idx_user_cache_union_id`, `idx_user_cache_user_id`, `idx_user_cache_expires`',
        '4. drop table `user_cache`',
        '5. drop index `idx_tokens_expires`',
        '6. drop table `tokens`',
      ].join('\n'),
    );
    for (const index of INDEXES) expect(zh).toContain(`\`${index}\``);
    // The rows those tables hold now: the data the rollback would lose.
    expect(en).toContain('| `user_auth_sessions` | 0 |');
    expect(en).toContain('| `user_cache` | 2 |');
    expect(en).toContain('| `tokens` | 3 |');
    expect(en).toContain('loses 5 rows');
    expect(zh).toContain('⚠️ 回滚此版本将丢失 5 行数据');
    expect(JSON.stringify(reply.content)).not.toContain(PASSWORD);
    // The analysis ran as a runner's job, recorded in Postgres.
    const rows = await h.ctx.pool.query(`SELECT state, outcome, target_id FROM impact_requests`);
    expect(rows.rows).toEqual([{ state: 'done', outcome: 'ok', target_id: 'lark-service' }]);

    // Live, not remembered: one more row is counted on the next request.
    await service.insertToken('app_d');
    const again = await ask('/rollback 影响 lark-service');
    expect(cardText(again, 'en_us')).toContain('| `tokens` | 4 |');
    expect(cardText(again, 'en_us')).toContain('loses 6 rows');
  });

  it('a target whose database does not answer gets a card that says so, and nothing else', {
    timeout: 60_000,
  }, async () => {
    const reply = await ask('/rollback impact lark-service-down');
    expect(reply.msgType).toBe('interactive');
    const card = reply.content as { body: { elements: Element[] } };
    expect(card.body.elements).toHaveLength(1);
    const en = cardText(reply, 'en_us');
    const zh = cardText(reply, 'zh_cn');
    expect(en).toContain('The database of target lark-service-down cannot be reached; nothing was analysed');
    expect(en).toContain('ECONNREFUSED');
    expect(zh).toContain('无法连接目标 lark-service-down 的数据库，未做任何分析');
    expect(en).not.toMatch(/6fc3f28b87c8|tokens|Migration versions/);
    expect(JSON.stringify(reply.content)).not.toContain(DOWN_PASSWORD);
  });

  it('no alembic project: said on a card (missing directory) or at once (no alembic_dir)', {
    timeout: 60_000,
  }, async () => {
    const moved = await ask('/rollback impact moved-service');
    expect(cardText(moved, 'en_us')).toMatch(
      /Target moved-service has no alembic project to analyse: `alembic directory \S+no-such-service does not exist`/,
    );
    const plain = await ask('/rollback impact plain-host');
    expect(plain.msgType).toBe('post');
    expect(textOf(plain)).toContain('Target plain-host has no alembic_dir');
  });

  it('a request whose job Redis lost is queued again by the sweep and answered once', {
    timeout: 60_000,
  }, async () => {
    // As if the server committed the request and Redis lost the trigger: only the Postgres row exists.
    const said = await h.sandbox.userSays({
      chatId: CHAT,
      senderOpenId: ONCALL,
      text: 'impact, anyone?',
      mentionBot: false,
    });
    await h.ctx.pool.query(
      `INSERT INTO impact_requests (id, chat_id, message_id, requester_open_id, target_id, created_at)
       VALUES ('ilostjob0001', $1, $2, $3, 'lark-service', now() - interval '10 seconds')`,
      [CHAT, said.messageId, ONCALL],
    );
    const reply = await h.sandbox.waitFor(
      () => h.sandbox.botMessages(CHAT).find((m) => m.parentId === said.messageId),
      30_000,
    );
    expect(cardText(reply, 'en_us')).toContain('| `6fc3f28b87c8` | Initial Schema |');
    const row = await h.ctx.pool.query(`SELECT state FROM impact_requests WHERE id = 'ilostjob0001'`);
    expect(row.rows[0].state).toBe('done');
    // The sweep keeps running: still exactly one answer.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(h.sandbox.botMessages(CHAT).filter((m) => m.parentId === said.messageId)).toHaveLength(1);
  });

  it('runs on the target’s runner pool: refused while none is up, answered by its runner once one is', {
    timeout: 90_000,
  }, async () => {
    const none = await ask('/rollback impact east-service');
    expect(textOf(none)).toContain('No runner of pool east that can run target east-service is up');
    // Only the east runner has the database URL: the server and the default worker never see it.
    const ctx = buildContext({
      env: { ...h.env, EAST_DATABASE_URL: service.env.LARK_SERVICE_DATABASE_URL ?? '' },
      logDestination: new Writable({ write: (_chunk, _enc, done) => done() }),
    });
    const east = await startWorker(ctx, { pools: ['east'], sweepMs: 1000, pollMs: 200 });
    try {
      const reply = await ask('/rollback impact east-service');
      expect(reply.msgType).toBe('interactive');
      expect(cardText(reply, 'en_us')).toContain(
        '| `6fc3f28b87c8` | Initial Schema | 2026-01-15 | current |',
      );
      expect(cardText(reply, 'en_us')).toMatch(/\| `tokens` \| \d+ \|/);
      const row = await h.ctx.pool.query(
        `SELECT runner_pool, outcome FROM impact_requests WHERE target_id = 'east-service'`,
      );
      expect(row.rows).toEqual([{ runner_pool: 'east', outcome: 'ok' }]);
    } finally {
      await east.close(2000);
      await ctx.pool.end();
    }
  });

  it('answers a request its pool can no longer answer (the runner went away after it was accepted), once', async () => {
    // No east runner is up any more (the one above stopped): a request it had accepted would wait unseen.
    const said = await h.sandbox.userSays({
      chatId: CHAT,
      senderOpenId: ONCALL,
      text: 'impact of east, anyone?',
      mentionBot: false,
    });
    await h.ctx.pool.query(
      `INSERT INTO impact_requests (id, chat_id, message_id, requester_open_id, target_id, runner_pool, created_at)
       VALUES ('ieastgone001', $1, $2, $3, 'east-service', 'east', now() - interval '1 minute')`,
      [CHAT, said.messageId, ONCALL],
    );
    const reply = await h.sandbox.waitFor(
      () => h.sandbox.botMessages(CHAT).find((m) => m.parentId === said.messageId),
      30_000,
    );
    expect(textOf(reply)).toContain(
      'every runner of pool east that can run target east-service went away. Start rollback-bot worker --pools east',
    );
    const row = await h.ctx.pool.query(
      `SELECT state, outcome FROM impact_requests WHERE id = 'ieastgone001'`,
    );
    expect(row.rows[0]).toEqual({ state: 'done', outcome: 'no_runner' });
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(h.sandbox.botMessages(CHAT).filter((m) => m.parentId === said.messageId)).toHaveLength(1);
  });

  it('bad input: an unknown target and extra words are answered with what to write', async () => {
    const unknown = await ask('/rollback impact lark-servce');
    expect(textOf(unknown)).toContain('unknown target lark-servce');
    expect(textOf(unknown)).toContain('Did you mean target lark-service?');
    const extra = await ask('/rollback impact lark-service now');
    expect(textOf(extra)).toContain('impact takes one target, e.g. /rollback impact lark-service');
  });

  it('the approval card of a downgrade points to the analysis', { timeout: 60_000 }, async () => {
    const cards = () => h.sandbox.botMessages(CHAT).filter((m) => m.msgType === 'interactive');
    const before = cards().length;
    await h.sandbox.userSays({ chatId: CHAT, senderOpenId: ONCALL, text: '/rollback one' });
    const approval = await h.sandbox.waitFor(() => cards()[before], 15_000);
    const text = cardText(h.sandbox.message(approval.messageId) ?? approval, 'zh_cn');
    expect(text).toContain('**影响分析**：发送 `/rollback impact lark-service`');
  });
});
