import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';

/** Bodies larger than this are refused with 413. */
export const BODY_LIMIT_BYTES = 64 * 1024;

/** The body of every error response: `{ error: { code, message, nextStep? } }`. */
export interface ErrorBody {
  code: string;
  message: string;
  nextStep?: string;
  [extra: string]: unknown;
}

/** An error that is already an HTTP answer: a status and the error body. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly nextStep: string | undefined;
  /** More fields for the error body (e.g. the `runId` of the run in the way). */
  readonly extra: Record<string, unknown>;
  /** Extra response headers (e.g. `Allow`). */
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    code: string,
    message: string,
    nextStep?: string,
    more: { extra?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.nextStep = nextStep;
    this.extra = more.extra ?? {};
    this.headers = more.headers ?? {};
  }

  body(): { error: ErrorBody } {
    return { error: { code: this.code, message: this.message, ...(this.nextStep ? { nextStep: this.nextStep } : {}), ...this.extra } };
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendHttpError(res: ServerResponse, error: HttpError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, error.status, error.body(), error.headers);
}

/**
 * Reads a JSON request body of at most `limit` bytes. An empty body reads
 * as `undefined`. Too large: 413 (the connection is closed after the
 * answer). Not JSON: 400.
 */
export async function readJsonBody(req: IncomingMessage, res: ServerResponse, limit = BODY_LIMIT_BYTES): Promise<unknown> {
  const tooLarge = (): HttpError => {
    // The rest of the body is not read: close the connection after answering.
    res.setHeader('connection', 'close');
    req.resume();
    return new HttpError(413, 'BODY_TOO_LARGE', `The request body is larger than ${limit / 1024} KiB.`, 'Send a smaller JSON body.');
  };
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  // Event-based rather than `for await`: leaving a for-await loop early
  // destroys the socket, and the 413 could not be sent any more.
  const chunks = await new Promise<Buffer[]>((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > limit) {
        refused = true;
        reject(tooLarge());
        return;
      }
      parts.push(chunk);
    });
    req.on('end', () => resolve(parts));
    req.on('error', reject);
  });
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(
      400,
      'BAD_JSON',
      `The request body is not valid JSON: ${(error as Error).message}.`,
      'Send a JSON object, e.g. {}.',
    );
  }
}

/** Validates a request body; 400 naming the offending fields when it does not fit. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown, code = 'BAD_REQUEST', nextStep?: string): z.infer<S> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(body)', message: i.message }));
  const text = issues
    .slice(0, 3)
    .map((i) => `${i.path}: ${i.message}`)
    .join('; ');
  throw new HttpError(400, code, `The request body is not valid: ${text}.`, nextStep, { extra: { issues } });
}
