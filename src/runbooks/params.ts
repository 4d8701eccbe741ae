import { anchorPattern } from './schema.js';
import type { Runbook } from './types.js';

/** Longest value a parameter may take, whatever its pattern (same bound as the chat grammar). */
export const MAX_PARAM_LENGTH = 200;

export interface ParamError {
  /** The parameter's name, as given or as declared. */
  param: string;
  code: 'unknown' | 'missing' | 'pattern';
  /** A sentence to show in chat, e.g. `revision must match ^(-1|base|[0-9a-f]{12})$`. */
  message: string;
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
      const known =
        declared.length > 0 ? `known: ${declared.join(', ')}` : `${runbook.id} takes no parameters`;
      errors.push({ param: name, code: 'unknown', message: `unknown parameter ${name}; ${known}` });
    }
  }
  const entries: Array<[string, string]> = [];
  for (const [name, spec] of Object.entries(runbook.params)) {
    const value = Object.hasOwn(given, name) ? given[name] : spec.default;
    if (value === undefined) {
      const message = `missing parameter ${name}: give ${name}=<value> matching ${spec.pattern}`;
      errors.push({ param: name, code: 'missing', message });
      continue;
    }
    if (value.length > MAX_PARAM_LENGTH || !new RegExp(anchorPattern(spec.pattern)).test(value)) {
      errors.push({ param: name, code: 'pattern', message: `${name} must match ${spec.pattern}` });
      continue;
    }
    entries.push([name, value]);
  }
  // fromEntries defines own properties, so even a parameter named __proto__ stays plain data.
  return errors.length > 0 ? { ok: false, errors } : { ok: true, params: Object.fromEntries(entries) };
}
