/**
 * `${VAR}` and `${VAR:-default}` in targets.yaml, filled from the bot's environment at start-up. An empty value
 * counts as unset (as with the shell's `:-`). There is no escape and no nesting: a value is never re-expanded.
 */

const REFERENCE = /\$\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface Expansion {
  value: string;
  /** Variables with no value and no default. */
  missing: string[];
  /** Malformed references, worded for a person. */
  errors: string[];
}

export function expandVars(text: string, env: Record<string, string | undefined>): Expansion {
  const missing: string[] = [];
  const errors: string[] = [];
  const value = text.replace(REFERENCE, (raw, inner: string) => {
    const sep = inner.indexOf(':-');
    const name = sep === -1 ? inner : inner.slice(0, sep);
    if (!NAME.test(name)) {
      errors.push(`${raw} is not a variable reference; write \${NAME} or \${NAME:-default}`);
      return raw;
    }
    const given = env[name];
    if (given !== undefined && given !== '') return given;
    if (sep !== -1) return inner.slice(sep + 2);
    missing.push(name);
    return '';
  });
  if (/\$\{[^}]*$/.test(text.replace(REFERENCE, ''))) {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the message quotes the YAML syntax, not a JS template.
    errors.push('a "${" is not closed with "}"');
  }
  return { value, missing, errors };
}
