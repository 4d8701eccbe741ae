import { LarkApiError } from './errors.js';
import { randomHex } from './ids.js';
import type { StoredFile } from './types.js';

/**
 * `POST /open-apis/im/v1/files` as Lark applies it: multipart/form-data with `file_type`, `file_name` and the
 * `file` itself; at most 30 MB and never empty. Parsed with the WHATWG `Request.formData()` built into Node
 * (undici's multipart parser): no multipart library is installed, and this one is maintained with Node.
 */

export const MAX_UPLOAD_BYTES = 30 * 1024 * 1024;
export const FILE_TYPES: readonly string[] = ['opus', 'mp4', 'pdf', 'doc', 'xls', 'ppt', 'stream'];

/** Lark's file API errors (234xxx), answered with HTTP 400 and `{code, msg}` like every IM error. */
export const uploadInvalid = (detail: string) =>
  new LarkApiError(400, 234001, `Invalid request param. ext=${detail}`);
const uploadTooLarge = () => new LarkApiError(400, 234006, 'The file size exceed the max value.');
const uploadEmpty = () => new LarkApiError(400, 234010, "File's size can't be 0.");

export const newFileKey = (): string =>
  `file_v3_${randomHex(8)}-${randomHex(4)}-${randomHex(4)}-${randomHex(12)}`;

export async function parseUpload(
  raw: Buffer,
  contentType: string | undefined,
  now: number,
): Promise<StoredFile> {
  if (!contentType || !/^multipart\/form-data\b/i.test(contentType)) {
    throw uploadInvalid('the body must be multipart/form-data');
  }
  let form: FormData;
  try {
    form = await new Request('http://sandbox.invalid/upload', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: new Uint8Array(raw),
    }).formData();
  } catch (error) {
    throw uploadInvalid(
      `malformed multipart body: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const fileType = form.get('file_type');
  const fileName = form.get('file_name');
  const file = form.get('file');
  if (typeof fileType !== 'string' || !FILE_TYPES.includes(fileType)) {
    throw uploadInvalid(`file_type must be one of ${FILE_TYPES.join(', ')}`);
  }
  if (typeof fileName !== 'string' || fileName.trim() === '') throw uploadInvalid('file_name is required');
  if (file === null) throw uploadInvalid('file is required');
  // A part sent without a filename (as the SDK sends a Buffer) arrives as a string: its bytes are UTF-8 text.
  const data = typeof file === 'string' ? Buffer.from(file, 'utf8') : Buffer.from(await file.arrayBuffer());
  if (data.length === 0) throw uploadEmpty();
  if (data.length > MAX_UPLOAD_BYTES) throw uploadTooLarge();
  return { fileKey: newFileKey(), fileName, fileType, size: data.length, createTime: now, data };
}
