import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportRun } from '../../src/runs/export.js';
import type { StoredMessage } from '../../src/sandbox/index.js';
import {
  CHAT,
  eventually,
  type Harness,
  LEAD_A,
  ONCALL,
  runState,
  startHarness,
  textOf,
} from '../helpers/harness.js';
import { postText, threadEntries } from '../helpers/messages.js';

/**
 * Replies people can use (issue 9, items 7, 10, 11, 12): bilingual posts, exports that arrive whole as a file,
 * times in TIMEZONE (Asia/Shanghai in the harness) with their offset, and short answers to typos.
 */
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ runbooksDir: 'tests/fixtures/export-runbooks' });
});
afterAll(async () => {
  await h?.close();
});

/** Say something and wait for the bot's answers to that message (`count` of them). */
async function ask(text: string, count = 1): Promise<StoredMessage[]> {
  const said = await h.sandbox.userSays({ chatId: CHAT, senderOpenId: ONCALL, text });
  expect(said.status).toBe(200);
  return h.sandbox.waitFor(() => {
    const answers = h.sandbox.botMessages(CHAT).filter((m) => m.parentId === said.messageId);
    return answers.length >= count ? answers : undefined;
  }, 15_000);
}

async function download(fileKey: string): Promise<string> {
  const res = await fetch(`${h.sandbox.url}/open-apis/im/v1/files/${fileKey}`, {
    headers: { authorization: `Bearer ${h.sandbox.tenantAccessToken}` },
  });
  expect(res.status).toBe(200);
  return res.text();
}

const ZONED = /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+08:00/;
let runId = '';

describe('bilingual replies (item 11)', () => {
  it('answers /回滚 帮助 with a post carrying zh_cn and en_us, each wholly in its language', async () => {
    const [reply] = await ask('/回滚 帮助');
    expect(reply?.msgType).toBe('post');
    const zh = postText(reply as StoredMessage, 'zh_cn');
    const en = postText(reply as StoredMessage, 'en_us');
    expect(zh).toContain('用法：');
    expect(zh).toContain('回滚流程：');
    expect(zh).toContain('多步回滚');
    expect(zh).not.toMatch(/Usage|Runbooks|Targets/);
    expect(en).toContain('Usage:');
    expect(en).toContain('Many-step rollback');
  });
});

describe('typos (item 12)', () => {
  it('names the mistake, suggests the closest runbook and points to help, in a few lines', async () => {
    const [reply] = await ask('/rollback mnay');
    const en = postText(reply as StoredMessage, 'en_us');
    expect(en).toBe(
      'There is no runbook or command "mnay". Did you mean /rollback many? Send /rollback help for the usage.',
    );
    expect(postText(reply as StoredMessage, 'zh_cn')).toContain('你是不是想输入 /rollback many？');
  });

  it('suggests a command for a mistyped verb', async () => {
    const [reply] = await ask('/rollback stauts');
    expect(textOf(reply as StoredMessage)).toContain('Did you mean /rollback status?');
  });

  it('answers a mistyped /rollback with the command it probably meant', async () => {
    const [reply] = await ask('/rolback many');
    expect(postText(reply as StoredMessage, 'en_us')).toBe(
      'I could not read that command: there is no /rolback command; did you mean /rollback many? Send /rollback help for the usage.',
    );
    expect(postText(reply as StoredMessage, 'zh_cn')).toBe(
      '无法理解该命令：没有 /rolback 命令，你是不是想输入 /rollback many？发送 /rollback help 查看用法。',
    );
  });

  it('names an unknown target in both languages and suggests the closest one', async () => {
    const [reply] = await ask('/rollback many demo-bd');
    expect(postText(reply as StoredMessage, 'en_us')).toBe(
      'Cannot use that target: unknown target demo-bd; known: demo-db, other-db. Did you mean target demo-db?',
    );
    expect(postText(reply as StoredMessage, 'zh_cn')).toBe(
      '无法使用该目标：没有目标 demo-bd，可用的目标：demo-db, other-db。你是不是想用目标 demo-db？',
    );
  });

  it('describes the allowed values instead of a regex', async () => {
    const [reply] = await ask('/rollback many confirm=maybe');
    expect(postText(reply as StoredMessage, 'en_us')).toContain('confirm must be yes or no');
    expect(postText(reply as StoredMessage, 'zh_cn')).toContain('confirm 须为 yes 或 no');
    expect(textOf(reply as StoredMessage)).not.toContain('^(');
  });
});

describe('status in the zone, with localized states (items 10, 12)', () => {
  it('shows an awaiting run as "Awaiting approval" / "等待审批" with a +08:00 time', async () => {
    const said = await h.sandbox.userSays({ chatId: CHAT, senderOpenId: ONCALL, text: '/rollback many' });
    const card = await h.sandbox.waitFor(
      () => h.sandbox.botMessages(CHAT).find((m) => m.msgType === 'interactive' && m.seq > 0),
      15_000,
    );
    expect(said.status).toBe(200);
    const value = /"value":(\{"action":"approve"[^}]*\})/.exec(JSON.stringify(card.content))?.[1];
    const approve = JSON.parse(value ?? '{}') as { run: string; plan: string; action: string };
    runId = approve.run;
    await runState(h, runId, 'awaiting_approval');

    const [status] = await ask('/回滚 状态');
    const en = postText(status as StoredMessage, 'en_us');
    const zh = postText(status as StoredMessage, 'zh_cn');
    expect(en).toContain(runId);
    expect(en).toContain('Awaiting approval');
    expect(zh).toContain('等待审批');
    expect(en).not.toContain('awaiting_approval');
    expect(en).toMatch(ZONED);
    expect(en).not.toMatch(/\d{2}:\d{2}Z|\bUTC\b/);

    await h.sandbox.click({ operatorOpenId: LEAD_A, messageId: card.messageId, value: approve });
    await runState(h, runId, 'succeeded', 60_000);
    // The thread is complete once the summary is there.
    await h.sandbox.waitFor(
      () => h.sandbox.threadOf(card.messageId).find((m) => /RTO/.test(textOf(m))),
      20_000,
    );
  }, 90_000);
});

describe('exports (items 7, 10)', () => {
  it('sends a JSON export past 8 KB whole, as a file equal to the CLI export', async () => {
    const answers = await ask(`/rollback export ${runId} json`);
    const file = answers.find((m) => m.msgType === 'file');
    expect(file?.file?.fileName).toBe(`rollback-${runId}.json`);
    expect(answers.filter((m) => m.msgType !== 'file')).toEqual([]);
    const text = await download(file?.file?.fileKey ?? '');
    expect(text.length).toBeGreaterThan(8_000);
    expect(file?.file?.size).toBe(Buffer.byteLength(text));
    const cli = await exportRun(h.ctx.pool, runId, 'json', undefined, 'Asia/Shanghai');
    expect(JSON.parse(text)).toEqual(JSON.parse(cli as string));
  });

  it('writes every instant in the zone with its offset, and T+ exactly as the thread shows it', async () => {
    const answers = await ask(`/rollback export ${runId} json`);
    const file = answers.find((m) => m.msgType === 'file');
    const doc = JSON.parse(await download(file?.file?.fileKey ?? '')) as {
      run: { createdAt: string };
      timeline: Array<{ at: string; t: string | null; event: string; step?: string }>;
    };
    expect(doc.run.createdAt).toMatch(/\+08:00$/);
    expect(JSON.stringify(doc)).not.toMatch(/\d{2}Z"/);
    const started = doc.timeline.filter((r) => r.event === 'step_started');
    expect(started).toHaveLength(30);

    const card = h.sandbox.botMessages(CHAT).find((m) => m.msgType === 'interactive');
    const thread = h.sandbox.threadOf(card?.messageId ?? '');
    const threadLines = threadEntries(thread).filter((t) => t.startsWith('▶'));
    expect(threadLines).toHaveLength(30);
    // Thread lines carry both languages too (item 11), with the same clock and T+ in each.
    const zhLines = threadEntries(thread, 'zh_cn').filter((t) => t.startsWith('▶'));
    expect(zhLines[0]).toMatch(/^▶ \d{2}:\d{2}:\d{2} · T\+\d{2}:\d{2} · 第 1 步检查 — 开始$/);
    expect(zhLines[0]?.slice(0, 22)).toBe(threadLines[0]?.slice(0, 22));
    expect(thread.at(-1)?.msgType).toBe('post');
    expect(postText(thread.at(-1) as StoredMessage, 'zh_cn')).toContain('总用时');
    for (const [i, row] of started.entries()) {
      // `▶ 10:32:05 · T+00:12 · Check number 1 — started`
      const [, clock, t] = /^▶ (\d{2}:\d{2}:\d{2}) · (T\+\d{2}:\d{2}) · /.exec(threadLines[i] ?? '') ?? [];
      expect(row.t).toBe(t);
      expect(row.at.slice(11, 19)).toBe(clock);
      expect(row.at).toMatch(/\+08:00$/);
    }
  });

  it('sends Markdown inline and as a file, and CSV with a T+ column, times in the zone', async () => {
    const md = await ask(`/rollback export ${runId} md`, 2);
    const inline = md.find((m) => m.msgType === 'post');
    const mdFile = md.find((m) => m.msgType === 'file');
    expect(mdFile?.file?.fileName).toBe(`rollback-${runId}.md`);
    const mdText = await download(mdFile?.file?.fileKey ?? '');
    expect(postText(inline as StoredMessage, 'en_us').trimEnd()).toBe(mdText.trimEnd());
    expect(mdText).toMatch(ZONED);
    expect(mdText).toContain('| # | step | started | T+ |');
    expect(mdText).toMatch(/\| 1 \| step-01 \| [^|]+\+08:00 \| T\+\d{2}:\d{2} \|/);

    const [csv] = await ask(`/rollback export ${runId} csv`);
    const csvText = await download(csv?.file?.fileKey ?? '');
    const [header, first] = csvText.split('\n');
    expect(header).toBe('run_id,at,t,event,step,duration_ms,exit_code,detail');
    expect(first).toMatch(/^r\w+,\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+08:00,,requested,/);
    expect(csvText).toMatch(/,T\+\d{2}:\d{2},step_started,step-01,/);
  });

  it('retries a refused file message whole: uploads again, posts once', async () => {
    const uploadsBefore = h.sandbox.requests().filter((r) => r.api === 'upload').length;
    h.sandbox.faults.failNext(1, '500', ['reply']);
    const said = await h.sandbox.userSays({
      chatId: CHAT,
      senderOpenId: ONCALL,
      text: `/rollback export ${runId} csv`,
    });
    const file = await h.sandbox.waitFor(
      () => h.sandbox.botMessages(CHAT).find((m) => m.parentId === said.messageId && m.msgType === 'file'),
      15_000,
    );
    expect(h.sandbox.faults.fired['500']).toBeGreaterThanOrEqual(1);
    const uploads = h.sandbox.requests().filter((r) => r.api === 'upload').length - uploadsBefore;
    expect(uploads).toBe(2);
    // Once its outbox row is recorded sent, nothing more will be posted for it: count now.
    await eventually(async () => {
      const row = await h.ctx.pool.query(
        `SELECT state FROM outbox WHERE payload->>'render' = 'file' ORDER BY id DESC LIMIT 1`,
      );
      return row.rows[0]?.state === 'sent';
    });
    expect(h.sandbox.botMessages(CHAT).filter((m) => m.parentId === said.messageId)).toHaveLength(1);
    const cli = await exportRun(h.ctx.pool, runId, 'csv', undefined, 'Asia/Shanghai');
    expect(await download(file.file?.fileKey ?? '')).toBe(cli);
  });

  it('says plainly when there is no such run', async () => {
    const [reply] = await ask('/rollback export rzzzzzzzzzz json');
    expect(reply?.msgType).toBe('post');
    expect(postText(reply as StoredMessage, 'en_us')).toBe('No run rzzzzzzzzzz here.');
  });
});
