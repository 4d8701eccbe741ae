import { describe, expect, it } from 'vitest';
import type { Catalog, Target } from '../../src/runbooks/types.js';
import type { RunsDeps } from '../../src/runs/ports.js';
import { isLeadOf } from '../../src/runs/target-policy.js';

// Who counts as a Tech Lead of a run's target, as the catalog has it now (issue 12).

const payments: Target = { id: 'payments', default: false, env: {}, vars: {}, approvers: ['ou_pay'] };
const depsWith = (targets: Target[]) =>
  ({
    policy: { techLeadOpenIds: ['ou_global'], incidentChatIds: [] },
    catalog: () => ({ targets: new Map(targets.map((t) => [t.id, t])) }) as unknown as Catalog,
  }) as unknown as RunsDeps;

describe('isLeadOf', () => {
  const run = { target_id: 'payments', view: { approvers: ['ou_pay_then'] } };

  it("uses the target's own approvers, not the global Tech Leads", () => {
    const deps = depsWith([payments]);
    expect(isLeadOf(deps, run, 'ou_pay')).toBe(true);
    expect(isLeadOf(deps, run, 'ou_global')).toBe(false);
  });

  it('falls back to the global Tech Leads for a target that names none', () => {
    const deps = depsWith([{ ...payments, approvers: undefined } as Target]);
    expect(isLeadOf(deps, run, 'ou_global')).toBe(true);
  });

  it('fails closed when the target left the catalog: only the approvers recorded on the run', () => {
    const deps = depsWith([]);
    expect(isLeadOf(deps, run, 'ou_global')).toBe(false);
    expect(isLeadOf(deps, run, 'ou_pay_then')).toBe(true);
    expect(isLeadOf(deps, { target_id: 'payments', view: {} }, 'ou_global')).toBe(false);
  });
});
