import type { I18nText } from '../../cards/model.js';
import type { Runbook, Target } from '../runbooks/types.js';

const YES = new Set(['yes', 'true', '1']);

/**
 * A runbook's `refuse_on`: the drill rehearses on a test environment (the seed), so a target marked
 * `environment: production` is refused unless the request says so explicitly (`production=yes`).
 * Returns the chat reply, or undefined when the request may go on.
 */
export function refusedByEnvironment(
  runbook: Runbook,
  target: Target,
  params: Record<string, string>,
): I18nText | undefined {
  const rule = runbook.refuseOn;
  const env = target.vars.environment;
  if (!rule || typeof env !== 'string' || !rule.environments.includes(env)) return undefined;
  if (rule.unless && YES.has((params[rule.unless] ?? '').toLowerCase())) return undefined;
  const how = rule.unless ? `${rule.unless}=yes` : undefined;
  return {
    'zh-CN': `「${runbook.id}」不在 ${env} 环境的目标上运行（目标 ${target.id}），请在测试环境演练。${
      how ? `确需在该环境运行，请在命令中加上 ${how}。` : ''
    }`,
    'en-US': `${runbook.id} does not run on a target marked environment: ${env} (${target.id}); rehearse on a test environment.${
      how ? ` To run it there anyway, add ${how} to the command.` : ''
    }`,
  };
}
