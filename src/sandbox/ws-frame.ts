/**
 * The long connection's frame (`pbbp2.Frame`, proto2), as Lark's SDKs generate it (LARK-LONG-CONNECTION.md
 * §"The protocol"). Encoded and decoded by protobufjs from this schema text: no hand-written codec.
 */
import Long from 'long';
import protobuf from 'protobufjs';

const SCHEMA = `
syntax = "proto2";
package pbbp2;
message Header { required string key = 1; required string value = 2; }
message Frame {
  required uint64 SeqID = 1;
  required uint64 LogID = 2;
  required int32 service = 3;
  required int32 method = 4;
  repeated Header headers = 5;
  optional string payload_encoding = 6;
  optional string payload_type = 7;
  optional bytes payload = 8;
  optional string LogIDNew = 9;
}`;

const FrameType = protobuf.parse(SCHEMA).root.lookupType('pbbp2.Frame');
// Resolving a uint64 field needs Long.js, but the Lark SDK sets the shared `protobuf.util.Long` to undefined
// when it loads (its generated code works on numbers). Resolve and build the codec now with Long, then put the
// SDK's setting back: decoding then yields numbers or Longs, and `toNumber` takes either.
{
  const before = protobuf.util.Long;
  protobuf.util.Long = Long;
  FrameType.resolveAll();
  FrameType.setup();
  protobuf.util.Long = before;
}

/** `method` of a frame. */
export const CONTROL = 0;
export const DATA = 1;

export interface Frame {
  SeqID: number;
  LogID: number;
  service: number;
  method: number;
  headers: { key: string; value: string }[];
  payload?: Uint8Array;
}

/** Binary frame bytes. SeqID, LogID, service and method are always written (the Node client requires them). */
export function encodeFrame(frame: Frame): Uint8Array {
  return FrameType.encode(FrameType.fromObject(frame)).finish();
}

/** Throws on bytes that are not a frame (the caller logs and closes). */
export function decodeFrame(bytes: Uint8Array): Frame {
  // Read the decoded message's fields directly: toObject's long conversion depends on whether the optional
  // `long` package is loaded, and uint64 fields come back as a number or a Long accordingly.
  const m = FrameType.decode(bytes) as unknown as Record<string, unknown>;
  const payload = m.payload instanceof Uint8Array && m.payload.length > 0 ? m.payload : undefined;
  return {
    SeqID: toNumber(m.SeqID),
    LogID: toNumber(m.LogID),
    service: toNumber(m.service),
    method: toNumber(m.method),
    headers: Array.isArray(m.headers)
      ? m.headers.map((h: { key?: unknown; value?: unknown }) => ({
          key: String(h.key),
          value: String(h.value),
        }))
      : [],
    ...(payload ? { payload } : {}),
  };
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value && typeof (value as { toNumber?: unknown }).toNumber === 'function') {
    return (value as { toNumber(): number }).toNumber();
  }
  return Number(value ?? 0);
}

export function headerOf(frame: Frame, key: string): string | undefined {
  return frame.headers.find((h) => h.key === key)?.value;
}
