import type { FaultKind } from './types.js';

/** The message APIs faults apply to; token and bot info always work, so a test isolates the outbox's behaviour. */
export type FaultApi = 'create' | 'reply' | 'patch';

export const FAULT_APIS: readonly FaultApi[] = ['create', 'reply', 'patch'];

export interface FaultSettings {
  /** Chance (0..1) that a message API request is faulted. @defaultValue 0 */
  probability: number;
  /** Kinds drawn from uniformly when a random fault fires. @defaultValue ['500'] */
  kinds: FaultKind[];
  /** APIs random faults apply to. @defaultValue all of FAULT_APIS */
  apis: FaultApi[];
  /** Delay of a 'slow' answer. @defaultValue 1500 */
  slowMs: number;
  /** Delay before a 'drop' destroys the socket. @defaultValue 50 */
  dropMs: number;
}

/**
 * Decides, per message API request, whether to misbehave. Queued `failNext` faults come first and are exact,
 * for deterministic tests; the random ones are for soak tests (pass `random` to make them reproducible).
 */
export class FaultInjector {
  private settings: FaultSettings = defaults();
  private readonly queue: { kind: FaultKind; apis: readonly FaultApi[] }[] = [];
  /** How many faults have fired so far, by kind. */
  readonly fired: Record<FaultKind, number> = { '429': 0, '500': 0, slow: 0, drop: 0 };

  constructor(private readonly random: () => number = Math.random) {}

  get current(): Readonly<FaultSettings> {
    return this.settings;
  }

  /** Merges into the current settings, e.g. `set({ probability: 0.3, kinds: ['429', '500'] })`. */
  set(settings: Partial<FaultSettings>): void {
    const next = { ...this.settings, ...settings };
    if (!(next.probability >= 0 && next.probability <= 1))
      throw new RangeError('probability must be in [0, 1]');
    if (next.kinds.length === 0) throw new RangeError('kinds must not be empty');
    this.settings = next;
  }

  /** The next `n` message API requests (of `apis`, default all) fail with `kind`, whatever the probability. */
  failNext(n: number, kind: FaultKind = '500', apis: readonly FaultApi[] = FAULT_APIS): void {
    for (let i = 0; i < n; i++) this.queue.push({ kind, apis });
  }

  /** Back to no faults at all. */
  clear(): void {
    this.settings = defaults();
    this.queue.length = 0;
  }

  /** Called once per message API request; returns the fault to apply, if any, and counts it. */
  draw(api: FaultApi): FaultKind | undefined {
    const queued = this.queue.findIndex((q) => q.apis.includes(api));
    let kind: FaultKind | undefined;
    if (queued >= 0) {
      kind = this.queue[queued]?.kind;
      this.queue.splice(queued, 1);
    } else if (this.settings.apis.includes(api) && this.random() < this.settings.probability) {
      const kinds = this.settings.kinds;
      kind = kinds[Math.floor(this.random() * kinds.length)] ?? kinds[0];
    }
    if (kind) this.fired[kind] += 1;
    return kind;
  }
}

function defaults(): FaultSettings {
  return { probability: 0, kinds: ['500'], apis: [...FAULT_APIS], slowMs: 1500, dropMs: 50 };
}
