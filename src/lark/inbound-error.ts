/** Every way an inbound Lark request can be refused; `status` is the HTTP answer. */
export type InboundErrorCode =
  | 'MALFORMED_BODY'
  | 'MISSING_SIGNATURE'
  | 'BAD_SIGNATURE'
  | 'STALE_TIMESTAMP'
  | 'UNDECRYPTABLE'
  | 'BAD_TOKEN'
  | 'UNSUPPORTED';

const STATUS: Record<InboundErrorCode, number> = {
  MALFORMED_BODY: 400,
  MISSING_SIGNATURE: 401,
  BAD_SIGNATURE: 401,
  STALE_TIMESTAMP: 401,
  UNDECRYPTABLE: 401,
  BAD_TOKEN: 401,
  UNSUPPORTED: 400,
};

export class InboundError extends Error {
  readonly status: number;
  constructor(
    readonly code: InboundErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'InboundError';
    this.status = STATUS[code];
  }
}
