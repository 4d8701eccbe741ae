import { describe, expect, it } from 'vitest';
import {
  codeBlock,
  codeSpan,
  escapeMarkdown,
  isOpenId,
  mention,
  neutralizeText,
} from '../../cards/escape.js';
import { ATTACK } from './fixtures.js';
import { decodeEntities } from './walk.js';

describe('escapeMarkdown', () => {
  it('leaves no formatting, link or tag character in the attack string, and decodes back to it', () => {
    const out = escapeMarkdown(ATTACK);
    expect(out.replace(/&#\d+;/g, '')).not.toMatch(/[*_~`[\]()<>#\\|!:]/);
    expect(out).not.toContain('<at');
    expect(decodeEntities(out)).toBe(ATTACK);
  });

  it('escapes & first-class, so user-typed entities stay literal', () => {
    expect(escapeMarkdown('&#60;at id=all&#62;')).toBe('&#38;&#35;60;at id=all&#38;&#35;62;');
    expect(decodeEntities(escapeMarkdown('&lt;b&gt;'))).toBe('&lt;b&gt;');
  });

  it('collapses line breaks so user text cannot start a block', () => {
    const out = escapeMarkdown('ok\n# heading\r\n---\n1. list');
    expect(out).not.toContain('\n');
    expect(decodeEntities(out)).toBe('ok # heading --- 1. list');
  });

  it('escapes a leading list marker or rule, and leaves inner dashes readable', () => {
    expect(escapeMarkdown('- x')).toBe('&#45; x');
    expect(escapeMarkdown('  ---')).toBe('  &#45;--');
    expect(escapeMarkdown('+ y')).toBe('&#43; y');
    expect(escapeMarkdown('12. z')).toBe('12&#46; z');
    expect(escapeMarkdown('3) z')).toBe('3&#41; z');
    expect(escapeMarkdown('stop-app 1.5')).toBe('stop-app 1.5');
  });

  it('strips bidi overrides and keeps other Unicode as is', () => {
    expect(escapeMarkdown('a\u202Eb 回滚 😀')).toBe('ab 回滚 😀');
  });
});

describe('codeBlock', () => {
  it('cannot be closed early by a tail containing a fence', () => {
    const tail = 'before\n```\n**bold** <at id=all></at>\n````js\nafter';
    const block = codeBlock(tail);
    const lines = block.split('\n');
    const fences = lines.filter((l) => /^ {0,3}(`{3,}|~{3,})/.test(l));
    expect(fences).toEqual(['```', '```']);
    expect(lines[0]).toBe('```');
    expect(lines.at(-1)).toBe('```');
    expect(block).not.toContain('<at');
    // Only invisible characters were added.
    expect(block.replace(/\u200b/g, '')).toBe(`\`\`\`\n${tail}\n\`\`\``);
  });
});

describe('mentions and text messages', () => {
  it('mentions only real open ids; `all` and forged ids become text', () => {
    expect(mention('ou_5f3a9c2e1b7d4f6a8c0e2b4d6f8a0c1e')).toBe(
      '<at id=ou_5f3a9c2e1b7d4f6a8c0e2b4d6f8a0c1e></at>',
    );
    expect(mention('all')).toBe('all');
    expect(mention('ou_x></at><at id=all')).not.toContain('<at');
    expect(isOpenId(`ou_${'a'.repeat(100)}`)).toBe(false);
  });

  it('defuses tags and links in text messages', () => {
    const out = neutralizeText('<at user_id="all"></at> [a](http://x) a < b');
    expect(out).not.toMatch(/<[a-z/]/i);
    expect(out).not.toContain('](');
    expect(out.replace(/\u200b/g, '')).toBe('<at user_id="all"></at> [a](http://x) a < b');
  });

  it('puts only safe text in code spans', () => {
    expect(codeSpan('/rollback export run_01H')).toBe('`/rollback export run_01H`');
    expect(codeSpan('run`x')).toBe('run&#96;x');
  });
});
