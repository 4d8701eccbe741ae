/**
 * The long connection's frame (`pbbp2.Frame`, proto2), as Lark's SDKs generate it (LARK-LONG-CONNECTION.md
 * §"The protocol"). Encoded and decoded by protobufjs from this schema text: no hand-written codec.
 */
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
  const message = FrameType.decode(bytes);
  const plain = FrameType.toObject(message, { longs: Number, defaults: true, arrays: true }) as Frame;
  return { ...plain, payload: plain.payload && plain.payload.length > 0 ? plain.payload : undefined };
}

export function headerOf(frame: Frame, key: string): string | undefined {
  return frame.headers.find((h) => h.key === key)?.value;
}
