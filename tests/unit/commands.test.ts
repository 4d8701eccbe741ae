import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/commands/parse.js';
import { closest, editDistance } from '../../src/commands/suggest.js';
import { commandText, type InboundEvent, parseEnvelope } from '../../src/lark/events.js';

describe('parseCommand', () => {
  it('reads every verb of the contract', () => {
    expect(parseCommand('hello there')).toBeUndefined();
    expect(parseCommand('/rollback')).toEqual({ kind: 'help' });
    expect(parseCommand('/rollback help')).toEqual({ kind: 'help' });
    expect(parseCommand('/rollback status')).toEqual({ kind: 'status' });
    expect(parseCommand('/rollback cancel')).toEqual({ kind: 'cancel', mode: 'after_step' });
    expect(parseCommand('/rollback cancel r1234567890 now')).toEqual({
      kind: 'cancel',
      runId: 'r1234567890',
      mode: 'now',
    });
    expect(parseCommand('/rollback export r1234567890 csv')).toEqual({
      kind: 'export',
      runId: 'r1234567890',
      format: 'csv',
    });
    expect(parseCommand('/rollback export r1234567890')).toEqual({
      kind: 'export',
      runId: 'r1234567890',
      format: 'md',
    });
    expect(parseCommand('/rollback emergency')).toEqual({
      kind: 'request',
      runbook: 'emergency',
      params: {},
      extras: [],
    });
    expect(parseCommand('/回滚 紧急 production revision=6fc3f28b87c8')).toEqual({
      kind: 'request',
      runbook: '紧急',
      target: 'production',
      params: { revision: '6fc3f28b87c8' },
      extras: [],
    });
  });

  it('explains what is wrong', () => {
    expect(parseCommand('/rollback export')).toMatchObject({ kind: 'invalid' });
    expect(parseCommand('/rollback export r1234567890 pdf')).toEqual({
      kind: 'invalid',
      reason: {
        'zh-CN': '导出格式须为 md、json 或 csv，而不是 "pdf"',
        'en-US': 'export format must be md, json or csv, not "pdf"',
      },
    });
    expect(parseCommand('/rollback to revision=1 revision=2')).toEqual({
      kind: 'invalid',
      reason: { 'zh-CN': 'revision 给了两次', 'en-US': 'revision is given twice' },
    });
    expect(parseCommand('/rollback cancel please')).toEqual({
      kind: 'invalid',
      reason: {
        'zh-CN': 'cancel 只接受回滚编号和 now，不认识 "please"',
        'en-US': 'cancel takes a run id and now, not "please"',
      },
    });
    expect(parseCommand('/rolback emergency')).toEqual({
      kind: 'invalid',
      reason: {
        'zh-CN': '没有 /rolback 命令，你是不是想输入 /rollback emergency？',
        'en-US': 'there is no /rolback command; did you mean /rollback emergency?',
      },
    });
    // Two slips away, or no slash: not meant for the bot (a chat that reads every message stays quiet).
    expect(parseCommand('/callback emergency')).toBeUndefined();
    expect(parseCommand('rollback emergency')).toBeUndefined();
    expect(parseCommand('/rollback to revision=abc; rm -rf /')).toEqual({
      kind: 'request',
      runbook: 'to',
      target: 'rm',
      params: { revision: 'abc;' },
      extras: ['-rf', '/'],
    });
  });

  it('reads history with an optional runbook and target (issue 14)', () => {
    expect(parseCommand('/rollback history')).toEqual({ kind: 'history' });
    expect(parseCommand('/回滚 历史 紧急')).toEqual({ kind: 'history', runbook: '紧急' });
    expect(parseCommand('/rollback history thin demo-db')).toEqual({
      kind: 'history',
      runbook: 'thin',
      target: 'demo-db',
    });
    expect(parseCommand('/rollback history thin demo-db extra')).toMatchObject({ kind: 'invalid' });
    const keyed = parseCommand('/rollback history revision=-1');
    expect(keyed).toMatchObject({ kind: 'invalid' });
    expect(JSON.stringify(keyed)).toContain('/rollback history emergency lark-service');
  });

  it('never throws, and a request round-trips through its own text', () => {
    fc.assert(fc.property(fc.string(), (text) => void parseCommand(`/rollback ${text}`)));
    const word = fc
      .stringMatching(/^[a-z][a-z0-9-]{0,10}$/)
      .filter((w) => !['help', 'status', 'cancel', 'export', 'targets', 'history', 'impact'].includes(w));
    fc.assert(
      fc.property(
        word,
        fc.dictionary(
          // `at=` is the command's own word (when to start), never a runbook param.
          fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/).filter((k) => k !== 'at'),
          fc.stringMatching(/^[\w.:-]{1,12}$/),
        ),
        (runbook, params) => {
          const text = ['/rollback', runbook, ...Object.entries(params).map(([k, v]) => `${k}=${v}`)].join(
            ' ',
          );
          expect(parseCommand(text)).toEqual({ kind: 'request', runbook, params, extras: [] });
        },
      ),
    );
  });
});

describe('closest: the suggestion for a typo', () => {
  it('finds a runbook or verb one or two edits away, and nothing for a word far from all', () => {
    const words = ['emergency', 'precheck', 'status', 'help', 'export', '紧急'];
    expect(closest('emergancy', words)).toBe('emergency');
    expect(closest('stauts', words)).toBe('status');
    expect(closest('Precheck', words)).toBe('precheck');
    expect(closest('deploy', words)).toBeUndefined();
    expect(closest('x', words)).toBeUndefined();
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });
});

describe('parseEnvelope and commandText', () => {
  const message = (text: string, mentions: object[], chatType = 'group') =>
    parseEnvelope({
      schema: '2.0',
      header: { event_id: 'e1', event_type: 'im.message.receive_v1' },
      event: {
        sender: { sender_id: { open_id: 'ou_user' }, sender_type: 'user' },
        message: {
          message_id: 'om_1',
          chat_id: 'oc_1',
          chat_type: chatType,
          message_type: 'text',
          content: JSON.stringify({ text }),
          mentions,
        },
      },
    }) as Extract<InboundEvent, { kind: 'message' }>;

  it('strips the bot placeholder and names other people', () => {
    const event = message('@_user_1 /rollback cancel @_user_2', [
      { key: '@_user_1', id: { open_id: 'ou_bot' }, name: 'RollbackBot' },
      { key: '@_user_2', id: { open_id: 'ou_x' }, name: 'Xu' },
    ]);
    expect(commandText(event, 'ou_bot')).toBe('/rollback cancel @Xu');
  });

  it('ignores group messages without the mention when the app reads only @-messages', () => {
    expect(commandText(message('/rollback help', []), 'ou_bot', false)).toBeUndefined();
    expect(commandText(message('/rollback help', [], 'p2p'), 'ou_bot', false)).toBe('/rollback help');
  });

  it('reads a card click and rejects an incomplete message', () => {
    const click = parseEnvelope({
      schema: '2.0',
      header: { event_id: 'e2', event_type: 'card.action.trigger' },
      event: {
        operator: { open_id: 'ou_lead' },
        action: { value: { action: 'approve', run: 'r123456' } },
        context: { open_message_id: 'om_c', open_chat_id: 'oc_1' },
      },
    });
    expect(click).toEqual({
      kind: 'card_action',
      eventId: 'e2',
      operatorOpenId: 'ou_lead',
      messageId: 'om_c',
      chatId: 'oc_1',
      value: { action: 'approve', run: 'r123456' },
    });
    expect(() =>
      parseEnvelope({
        schema: '2.0',
        header: { event_id: 'e3', event_type: 'im.message.receive_v1' },
        event: {},
      }),
    ).toThrow(/incomplete/);
  });
});

describe('/rollback impact [target]', () => {
  it('takes an optional target, in English or Chinese, and refuses anything more', () => {
    expect(parseCommand('/rollback impact')).toEqual({ kind: 'impact' });
    expect(parseCommand('/rollback impact lark-service')).toEqual({ kind: 'impact', target: 'lark-service' });
    expect(parseCommand('/回滚 影响 lark-service')).toEqual({ kind: 'impact', target: 'lark-service' });
    for (const text of ['/rollback impact a b', '/rollback impact target=a']) {
      const command = parseCommand(text);
      expect(command?.kind).toBe('invalid');
      expect(command?.kind === 'invalid' && command.reason['en-US']).toBe(
        'impact takes one target, e.g. /rollback impact lark-service',
      );
    }
  });
});
