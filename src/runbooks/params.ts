import type { I18nText } from '../../cards/model.js';
import { describePattern } from './pattern-text.js';
import { anchorPattern } from './schema.js';
import type { Runbook } from './types.js';

/** Longest value a parameter may take, whatever its pattern (same bound as the chat grammar). */
export const MAX_PARAM_LENGTH = 200;

export interface ParamError {
  /** The parameter's name, as given or as declared. */
  param: string;
  code: 'unknown' | 'missing' | 'pattern';
  /** A sentence for logs and the CLI, e.g. `revision must be -1, base or 12 hex digits`. */
  message: string;
  /** The same for chat, in both languages; it describes the allowed values, never shows a regex. */
  text: I18nText;
}

export type ParamsResult = { ok: true; params: Record<string, string> } | { ok: false; errors: ParamError[] };

/**
 * Check request parameters against the runbook: unknown keys are errors (never passed through), each value must
 * match its anchored pattern, a parameter without a default is required. Defaults are applied; the result holds
 * exactly the declared parameters, in declaration order.
 */
export function validateParams(runbook: Runbook, given: Record<string, string>): ParamsResult {
  const errors: ParamError[] = [];
  const declared = Object.keys(runbook.params);
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(runbook.params, name)) {
      const text: I18nText =
        declared.length > 0
          ? {
              'zh-CN': `未知参数 ${name}；可用参数：${declared.join('、')}`,
              'en-US': `unknown parameter ${name}; known: ${declared.join(', ')}`,
            }
          : {
              'zh-CN': `未知参数 ${name}；${runbook.id} 不接受参数`,
              'en-US': `unknown parameter ${name}; ${runbook.id} takes no parameters`,
            };
      errors.push({ param: name, code: 'unknown', message: text['en-US'], text });
    }
  }
  const entries: Array<[string, string]> = [];
  for (const [name, spec] of Object.entries(runbook.params)) {
    const value = Object.hasOwn(given, name) ? given[name] : spec.default;
    const allowed = describePattern(spec.pattern);
    if (value === undefined) {
      const text: I18nText = {
        'zh-CN': `缺少参数 ${name}：请给出 ${name}=<值>，值须为 ${allowed['zh-CN']}`,
        'en-US': `missing parameter ${name}: give ${name}=<value>, where the value is ${allowed['en-US']}`,
      };
      errors.push({ param: name, code: 'missing', message: text['en-US'], text });
      continue;
    }
    if (value.length > MAX_PARAM_LENGTH || !new RegExp(anchorPattern(spec.pattern)).test(value)) {
      const text: I18nText = {
        'zh-CN': `${name} 须为 ${allowed['zh-CN']}`,
        'en-US': `${name} must be ${allowed['en-US']}`,
      };
      errors.push({ param: name, code: 'pattern', message: text['en-US'], text });
      continue;
    }
    entries.push([name, value]);
  }
  // fromEntries defines own properties, so even a parameter named __proto__ stays plain data.
  return errors.length > 0 ? { ok: false, errors } : { ok: true, params: Object.fromEntries(entries) };
}
