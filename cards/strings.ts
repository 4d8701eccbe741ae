import type { I18nText, RunState, StepState } from './model.js';

/**
 * Every label the cards and thread replies use, in both languages. `{name}` placeholders are filled by
 * `fill()` with already-escaped values. Markdown (`**…**`) appears only in strings used in markdown elements.
 */

export const RUN_STATE: Record<RunState, I18nText> = {
  requested: { 'zh-CN': '预检中', 'en-US': 'Preflight running' },
  awaiting_approval: { 'zh-CN': '等待审批', 'en-US': 'Awaiting approval' },
  scheduled: { 'zh-CN': '已预约', 'en-US': 'Scheduled' },
  queued: { 'zh-CN': '排队中', 'en-US': 'Queued' },
  running: { 'zh-CN': '执行中', 'en-US': 'Running' },
  paused: { 'zh-CN': '已暂停', 'en-US': 'Paused' },
  succeeded: { 'zh-CN': '成功', 'en-US': 'Succeeded' },
  failed: { 'zh-CN': '失败', 'en-US': 'Failed' },
  rejected: { 'zh-CN': '已拒绝', 'en-US': 'Rejected' },
  expired: { 'zh-CN': '已过期', 'en-US': 'Expired' },
  cancelled: { 'zh-CN': '已取消', 'en-US': 'Cancelled' },
};

export const STEP_STATE: Record<StepState, I18nText> = {
  pending: { 'zh-CN': '待执行', 'en-US': 'pending' },
  running: { 'zh-CN': '执行中', 'en-US': 'running' },
  succeeded: { 'zh-CN': '成功', 'en-US': 'succeeded' },
  failed: { 'zh-CN': '失败', 'en-US': 'failed' },
  timed_out: { 'zh-CN': '超时', 'en-US': 'timed out' },
  skipped: { 'zh-CN': '已跳过', 'en-US': 'skipped' },
  interrupted: { 'zh-CN': '已中断', 'en-US': 'interrupted' },
  cancelled: { 'zh-CN': '已取消', 'en-US': 'cancelled' },
};

export const UI = {
  // Header subtitle and card preview.
  subtitle: { 'zh-CN': '{state} · 目标 {target}', 'en-US': '{state} · target {target}' },
  preview: { 'zh-CN': '{title} — {state}', 'en-US': '{title} — {state}' },

  // Buttons and their confirmation dialogs.
  approve: { 'zh-CN': '批准', 'en-US': 'Approve' },
  reject: { 'zh-CN': '拒绝', 'en-US': 'Reject' },
  rejectReasonPlaceholder: { 'zh-CN': '拒绝原因（可选）', 'en-US': 'Reason for rejecting (optional)' },
  // Named for what they do: Lark's confirm dialog has fixed 取消 / 确定 (Cancel / Confirm) buttons, so the text says
  // what each of them means, and no button of ours is called "Cancel".
  cancelAfterStep: { 'zh-CN': '当前步骤完成后停止', 'en-US': 'Stop after this step' },
  cancelNow: { 'zh-CN': '立即停止', 'en-US': 'Stop now' },
  cancelNowConfirmTitle: { 'zh-CN': '立即停止回滚？', 'en-US': 'Stop the rollback now?' },
  cancelNowConfirmText: {
    'zh-CN':
      '确定：立即终止正在执行的步骤，之后的步骤不再执行，已完成的步骤不会撤销。取消：关闭此提示，回滚继续执行。',
    'en-US':
      'Confirm kills the running step at once; no further step runs, and steps already done are not undone. Cancel closes this and the rollback keeps running.',
  },
  stoppingAfterStep: {
    'zh-CN': '**将在当前步骤完成后停止**（{who} 要求），剩余步骤不再执行。',
    'en-US': '**Stopping after the current step** (asked by {who}): the remaining steps will not run.',
  },
  stoppingNow: {
    'zh-CN': '**正在立即停止**（{who} 要求），剩余步骤不再执行。',
    'en-US': '**Stopping now** (asked by {who}): the remaining steps will not run.',
  },
  retry: { 'zh-CN': '重试', 'en-US': 'Retry' },
  skip: { 'zh-CN': '跳过', 'en-US': 'Skip' },
  abort: { 'zh-CN': '中止', 'en-US': 'Abort' },
  abortConfirmTitle: { 'zh-CN': '中止本次回滚？', 'en-US': 'Abort this rollback?' },
  abortConfirmText: {
    'zh-CN': '确定：剩余步骤都不会执行，运行将标记为已取消。取消：关闭此提示，运行保持暂停。',
    'en-US':
      'Confirm: no further step runs and the run is marked cancelled. Cancel closes this; the run stays paused.',
  },

  // Field labels (markdown).
  target: { 'zh-CN': '**目标**：{v}', 'en-US': '**Target:** {v}' },
  params: { 'zh-CN': '**参数**：{v}', 'en-US': '**Parameters:** {v}' },
  none: { 'zh-CN': '无', 'en-US': 'none' },
  rto: { 'zh-CN': '**RTO 预算**：{v}', 'en-US': '**RTO budget:** {v}' },
  requestedBy: { 'zh-CN': '**申请人**：{v}', 'en-US': '**Requested by:** {v}' },
  expires: { 'zh-CN': '**申请过期时间**：{v}', 'en-US': '**Request expires:** {v}' },
  approvals: { 'zh-CN': '**审批进度**：{n} / {q}', 'en-US': '**Approvals:** {n} / {q}' },
  fourEyes: {
    'zh-CN': '四眼原则：申请人不能批准自己的申请。',
    'en-US': 'Four-eyes: the requester cannot approve their own request.',
  },
  approvedBy: { 'zh-CN': '**批准人**：{v}', 'en-US': '**Approved by:** {v}' },
  approvalNotNeeded: {
    'zh-CN': '**批准人**：无需审批（只读流程）',
    'en-US': '**Approved by:** no approval needed (read-only runbook)',
  },
  runId: { 'zh-CN': '**运行 ID**：{v}', 'en-US': '**Run:** {v}' },
  steps: { 'zh-CN': '**步骤**', 'en-US': '**Steps**' },
  timeline: { 'zh-CN': '**时间线**', 'en-US': '**Timeline**' },
  preflight: { 'zh-CN': '**预检**', 'en-US': '**Preflight**' },
  preflightPending: { 'zh-CN': '预检进行中……', 'en-US': 'Preflight is running…' },
  notices: { 'zh-CN': '**注意**', 'en-US': '**Notices**' },
  runnerPool: { 'zh-CN': '**执行器池**：{pool}', 'en-US': '**Runner pool:** {pool}' },
  waitingForRunner: {
    'zh-CN':
      '⏳ 已批准，正在等待执行器池 {pool} 中的执行器：目前没有在线的执行器。请在服务所在主机启动 `rollback-bot worker --pools {pool}`，它一上线就开始执行。',
    'en-US':
      '⏳ Approved, waiting for a runner in pool {pool}: none is up. Start `rollback-bot worker --pools {pool}` next to the service; the run starts as soon as one is up.',
  },
  noRunner: {
    'zh-CN':
      '⏳ 执行器池 {pool} 中没有在线的执行器，暂不提供“批准”；预检和回滚都会等待。请在服务所在主机启动 `rollback-bot worker --pools {pool}`，卡片会自动更新。',
    'en-US':
      '⏳ No runner is up in pool {pool}, so Approve is withheld; the checks and the rollback wait for one. Start `rollback-bot worker --pools {pool}` next to the service; this card updates when it is up.',
  },
  approveWithheld: {
    'zh-CN': '🚫 有 {n} 项预检未通过，因此不提供“批准”。请排除问题后重新申请。',
    'en-US': '🚫 {n} preflight check(s) failed, so Approve is not offered. Fix the cause and request again.',
  },
  approversAsked: {
    'zh-CN': '**请审批**：{v}',
    'en-US': '**Approval needed from:** {v}',
  },
  voidApprovals: {
    'zh-CN': '**已作废的批准**（计划已变化）：{v}',
    'en-US': '**Void approvals** (plan changed): {v}',
  },
  planChanged: {
    'zh-CN': '⚠️ **批准后状态已变化**，未执行任何变更步骤：',
    'en-US': '⚠️ **The state changed after approval**, so no mutating step ran:',
  },
  planChange: { 'zh-CN': '· {title}：{before} → {after}', 'en-US': '· {title}: {before} → {after}' },
  planChangedAsk: {
    'zh-CN': '之前的批准已作废，需要重新审批。',
    'en-US': 'Earlier approvals are void; a new approval is needed.',
  },
  preflightFailed: {
    'zh-CN': '🚫 有 {n} 项预检未通过，本次申请已结束（失败），目标已释放。排除问题后可以立即重新申请。',
    'en-US':
      '🚫 {n} preflight check(s) failed, so this request ended (failed) and the target is free. Fix the cause; a new request can be made now.',
  },
  moreSteps: { 'zh-CN': '… 另有 {n} 个步骤', 'en-US': '… {n} more steps' },
  moreItems: { 'zh-CN': '… 另有 {n} 项', 'en-US': '… {n} more' },

  // Progress.
  status: { 'zh-CN': '**状态**：{v}', 'en-US': '**Status:** {v}' },
  elapsedAsOf: { 'zh-CN': '已用时 {elapsed}（截至 {clock}）', 'en-US': 'elapsed {elapsed} (as of {clock})' },
  notStarted: { 'zh-CN': '尚未开始', 'en-US': 'not started yet' },
  exitCode: { 'zh-CN': '退出码 {code}', 'en-US': 'exit code {code}' },
  noExitCode: { 'zh-CN': '无退出码', 'en-US': 'no exit code' },

  // Paused.
  pausedNotRerun: {
    'zh-CN':
      '⚠️ 步骤 {step} 于 {time}（{elapsed}）被中断。该步骤**不是幂等的**，重复执行可能重复其变更，因此**没有**自动重跑。',
    'en-US':
      '⚠️ Step {step} was interrupted at {time} ({elapsed}). It was **not** re-run automatically because it is **not idempotent**: running it again could repeat its change.',
  },
  pausedInterrupted: {
    'zh-CN': '⚠️ 步骤 {step} 于 {time}（{elapsed}）被中断。',
    'en-US': '⚠️ Step {step} was interrupted at {time} ({elapsed}).',
  },
  pausedUnknown: { 'zh-CN': '⚠️ 运行已暂停。', 'en-US': '⚠️ The run is paused.' },
  pausedChoose: {
    'zh-CN': '**重试**：重新执行该步骤 · **跳过**：标记为跳过并继续 · **中止**：取消本次运行',
    'en-US':
      '**Retry** runs the step again · **Skip** marks it skipped and goes on · **Abort** cancels the run',
  },

  // Summary.
  outcome: { 'zh-CN': '**结果**：{v}', 'en-US': '**Outcome:** {v}' },
  reason: { 'zh-CN': '**原因**：{v}', 'en-US': '**Reason:** {v}' },
  cancelledBy: { 'zh-CN': '**取消人**：{v}', 'en-US': '**Cancelled by:** {v}' },
  cancelledNotRun: { 'zh-CN': '未执行（已取消）', 'en-US': 'not run (cancelled)' },
  totalTime: { 'zh-CN': '**总用时**：{v}', 'en-US': '**Total time:** {v}' },
  totalVsRto: { 'zh-CN': '{total} / RTO {rto}：{verdict}', 'en-US': '{total} of RTO {rto}: {verdict}' },
  withinBudget: { 'zh-CN': '✅ 在预算内', 'en-US': '✅ within budget' },
  totalWithRto: { 'zh-CN': '{total}（RTO {rto}）', 'en-US': '{total} (RTO {rto})' },
  overBudget: { 'zh-CN': '⚠️ 超出预算 {d}', 'en-US': '⚠️ over budget by {d}' },
  outputOf: {
    'zh-CN': '**步骤 {step} 的输出（最后 {n} 行）**',
    'en-US': '**Output of step {step} (last {n} lines)**',
  },
  exportHint: {
    'zh-CN': '导出时间线用于复盘：在群里发送 {chat}，或运行 {cli}',
    'en-US': 'Export the timeline for the post-mortem: {chat} in this chat, or {cli}',
  },

  // Rejected / expired.
  rejectedBy: { 'zh-CN': '**拒绝人**：{who}，{time}', 'en-US': '**Rejected by:** {who} at {time}' },
  expiredAt: {
    'zh-CN': '**已过期**：{time}，审批 {n} / {q}，未达到要求。',
    'en-US': '**Expired at** {time} with {n} / {q} approvals.',
  },

  // Thread replies (plain text).
  started: { 'zh-CN': '开始', 'en-US': 'started' },
  succeededIn: { 'zh-CN': '成功，用时 {d}', 'en-US': 'succeeded in {d}' },
  failedExit: { 'zh-CN': '失败，退出码 {code}', 'en-US': 'failed, exit code {code}' },
  failedNoExit: { 'zh-CN': '失败（无退出码）', 'en-US': 'failed (no exit code)' },
  timedOutAfter: { 'zh-CN': '超时（限时 {d}），已终止', 'en-US': 'timed out after {d}, killed' },
  skippedBecause: { 'zh-CN': '已跳过：{why}', 'en-US': 'skipped: {why}' },
  rerunAfterLoss: {
    'zh-CN':
      '⚠ 上一次执行于 {time}（{elapsed}）被中断：执行它的工作进程已失联。该步骤是幂等的，可以安全地重新执行。',
    'en-US':
      '⚠ The previous attempt was interrupted: its worker was lost at {time} ({elapsed}). The step is idempotent, so it is safe to run it again.',
  },
  outputTail: { 'zh-CN': '输出（最后 {n} 行）：', 'en-US': 'Output (last {n} lines):' },
  summaryLine: {
    'zh-CN': '{icon} {state}：{title}（目标 {target}）',
    'en-US': '{icon} {state}: {title} (target {target})',
  },
  summaryTotal: { 'zh-CN': '总用时 {v}', 'en-US': 'Total time {v}' },
  summaryReason: { 'zh-CN': '原因：{v}', 'en-US': 'Reason: {v}' },
  summaryExport: {
    'zh-CN': '导出时间线：/rollback export {id} 或 rollback-bot export {id}',
    'en-US': 'Export the timeline: /rollback export {id} or rollback-bot export {id}',
  },
  summaryRequester: { 'zh-CN': '发起人：{who}', 'en-US': 'Requested by {who}' },
} as const satisfies Record<string, I18nText>;
