import type { Catalog, Runbook, Target } from '../runbooks/types.js';
import type { RunsDeps } from './ports.js';

type Policy = RunsDeps['policy'];

/** The zone times are shown in: TIMEZONE, else the window's zone, else UTC. */
export function zoneOf(policy: Policy): string {
  return policy.timezone ?? policy.window?.timezone ?? 'UTC';
}

/** A target's Tech Leads: its own `approvers`, else TECH_LEAD_OPEN_IDS. */
export function leadsOf(policy: Policy, target: Target | undefined): string[] {
  return target?.approvers ?? policy.techLeadOpenIds;
}

/** Where a target may be requested: its own `chats`, else INCIDENT_CHAT_IDS. */
export function chatsOf(policy: Policy, target: Target): { id: string; name?: string }[] {
  return target.chats ?? policy.incidentChatIds.map((id) => ({ id }));
}

/** A chat the bot acts in: a configured incident chat, or a chat some target names. */
export function servesChat(policy: Policy, catalog: Catalog, chatId: string): boolean {
  if (policy.incidentChatIds.includes(chatId)) return true;
  for (const target of catalog.targets.values()) {
    if (target.chats?.some((c) => c.id === chatId)) return true;
  }
  return false;
}

/** The targets that may be requested in this chat. */
export function targetsOfChat(policy: Policy, catalog: Catalog, chatId: string): Target[] {
  return [...catalog.targets.values()].filter((t) => chatsOf(policy, t).some((c) => c.id === chatId));
}

/** The runbook's approval with the target's overrides applied. */
export function approvalOf(runbook: Runbook, target: Target): Runbook['approval'] {
  const o = target.approval ?? {};
  return {
    ...runbook.approval,
    ...(o.quorum !== undefined ? { quorum: o.quorum } : {}),
    ...(o.fourEyes !== undefined ? { fourEyes: o.fourEyes } : {}),
    ...(o.expiresInSeconds !== undefined ? { expiresInSeconds: o.expiresInSeconds } : {}),
  };
}

/**
 * Is this person a Tech Lead of the run's target (the target as the catalog has it now)? A target since removed
 * from the catalog falls back to the approvers recorded on the run when it was requested, never to the global
 * TECH_LEAD_OPEN_IDS: a lead of some other service gains no say over it (fail closed).
 */
export function isLeadOf(
  deps: RunsDeps,
  run: { target_id: string; view: { approvers?: string[] } },
  openId: string,
): boolean {
  const target = deps.catalog().targets.get(run.target_id);
  const leads = target ? leadsOf(deps.policy, target) : (run.view.approvers ?? []);
  return leads.includes(openId);
}
