/**
 * Lark Open API errors as the sandbox answers them (LARK.md §5.6; codes from the IM API error tables).
 * Thrown by the message service and turned into `{code, msg}` with the HTTP status by the server.
 */
export class LarkApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'LarkApiError';
  }
}

export const INVALID_TOKEN = { code: 99991663, msg: 'Invalid access token for authorization.' } as const;
export const RATE_LIMITED = { code: 99991400, msg: 'request trigger frequency limit' } as const;

/** 230001: the catch-all for a bad parameter; the detail after `ext=` helps whoever reads the bot's logs. */
export function invalidParam(detail: string): LarkApiError {
  return new LarkApiError(400, 230001, `Your request contains an invalid request parameter, ext=${detail}`);
}

export function botNotInChat(): LarkApiError {
  return new LarkApiError(400, 230002, 'The bot can not be outside the group.');
}

export function notSender(): LarkApiError {
  return new LarkApiError(400, 230012, 'Bot is NOT the sender of the message.');
}

export function contentTooLong(bytes: number, limit: number): LarkApiError {
  return new LarkApiError(
    400,
    230025,
    `The length of the message content reaches its limit, ext=${bytes} bytes > ${limit}`,
  );
}

export function tooOldToPatch(): LarkApiError {
  return new LarkApiError(400, 230031, 'Message can only be modified within 14 days after sending.');
}

/** 230099 wraps the card platform's own error code, as Lark does ("ext=ErrCode: 200621; ErrMsg: …"). */
export function badCard(errCode: number, reason: string): LarkApiError {
  return new LarkApiError(
    400,
    230099,
    `Failed to create card content, ext=ErrCode: ${errCode}; ErrMsg: ${reason}`,
  );
}

export function rateLimited(limit: number, resetSeconds: number): LarkApiError {
  return new LarkApiError(429, RATE_LIMITED.code, RATE_LIMITED.msg, {
    'x-ogw-ratelimit-limit': String(limit),
    'x-ogw-ratelimit-reset': String(resetSeconds),
  });
}
