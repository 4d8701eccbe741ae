import type { I18nText } from '../../cards/model.js';

/** Chat replies of `/rollback impact` (issue 14) that are not the card itself, in both languages. */
export const impactReplies = {
  /** The target names no alembic project: nothing to analyse, said at once (no runner is asked). */
  noAlembicDir: (target: string): I18nText => ({
    'zh-CN': `目标 ${target} 没有配置 alembic_dir，无法做回滚影响分析。请在 targets.yaml 中为它设置 alembic_dir。`,
    'en-US': `Target ${target} has no alembic_dir, so there is no impact to analyse. Set its alembic_dir in targets.yaml.`,
  }),
  /** No live runner of the target's pool can run it: the analysis runs there, so nothing can answer now. */
  noRunner: (target: string, pool: string): I18nText => ({
    'zh-CN': `执行器池 ${pool} 中没有能处理目标 ${target} 的在线执行器，无法分析。请在服务所在主机启动 rollback-bot worker --pools ${pool} 后再试。`,
    'en-US': `No runner of pool ${pool} that can run target ${target} is up, so nothing can analyse it. Start rollback-bot worker --pools ${pool} next to the service and ask again.`,
  }),
  /** Accepted, but every runner that could answer went away before it did: said by the sweep, once. */
  runnerGone: (target: string, pool: string): I18nText => ({
    'zh-CN': `回滚影响分析没有完成：执行器池 ${pool} 中能处理目标 ${target} 的执行器已全部离线。请在服务所在主机启动 rollback-bot worker --pools ${pool} 后再发送 /rollback impact ${target}。`,
    'en-US': `The impact analysis did not finish: every runner of pool ${pool} that can run target ${target} went away. Start rollback-bot worker --pools ${pool} next to the service, then send /rollback impact ${target} again.`,
  }),
};
