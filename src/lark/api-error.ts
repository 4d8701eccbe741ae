/** A failed Lark API call, classified for the outbox: retry later, or give up on this message. */
export class LarkApiError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly code: number | undefined,
    /** Retry makes sense (429, 5xx, timeouts, connection errors). */
    readonly retryable: boolean,
    /** From `x-ogw-ratelimit-reset` on a 429, in ms. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'LarkApiError';
  }
}

type AxiosLike = {
  message?: string;
  code?: string;
  response?: { status?: number; data?: unknown; headers?: Record<string, unknown> };
};

/** Map whatever the SDK threw (an AxiosError for non-2xx answers) to a LarkApiError. */
export function classifyLarkError(error: unknown): LarkApiError {
  if (error instanceof LarkApiError) return error;
  const e = (error ?? {}) as AxiosLike;
  const response = e.response;
  if (!response || response.status === undefined) {
    return new LarkApiError(`network: ${e.code ?? e.message ?? 'unknown error'}`, undefined, undefined, true);
  }
  const data = (response.data ?? {}) as { code?: number; msg?: string };
  const status = response.status;
  const reset = Number(response.headers?.['x-ogw-ratelimit-reset']);
  const throttled = status === 429 || data.code === 99991400;
  const retryable = throttled || status >= 500 || status === 408;
  const message = `HTTP ${status}${data.code !== undefined ? ` code ${data.code}` : ''}: ${data.msg ?? e.message ?? ''}`;
  return new LarkApiError(
    message,
    status,
    data.code,
    retryable,
    throttled && Number.isFinite(reset) && reset > 0 ? reset * 1000 : undefined,
  );
}
