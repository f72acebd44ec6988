/**
 * The terminal wire protocol between the browser island
 * (site/src/components/Terminal/) and the lab server's terminal gateway.
 *
 * 1. `GET /api/terminal/token?lab=<labId>` (same-origin fetch) ->
 *    `{ token, expiresAt }`: 32 random bytes, base64url, valid 60 s, single
 *    use, bound to the learner and the lab.
 * 2. WebSocket `/api/terminal?token=<t>&lab=<labId>[&session=<id>]`. Refused
 *    before the upgrade with a plain HTTP answer: 403 (Host / Origin), 401
 *    (token), 404 (lab, session), 403 (someone else's session), 409 (the
 *    lab's workspace does not exist yet).
 * 3. Client -> server: TEXT frames of JSON, `ClientMessage` below. Anything
 *    else closes the socket with 1008; a frame over 64 KiB with 1009.
 * 4. Server -> client: BINARY frames are raw pty output bytes (never
 *    interpreted); TEXT frames are JSON `ServerMessage`s. The first is
 *    `hello`; `replay` bytes of scrollback follow as binary frames, then
 *    live output.
 * 5. Flow control: the server counts output bytes sent and not yet acked;
 *    above `FLOW_HIGH_BYTES` it pauses the pty, and resumes it when acks
 *    bring the count under `FLOW_LOW_BYTES`. The client acks about every
 *    `ACK_EVERY_BYTES` it has finished rendering. Input is never held back.
 */
import { z } from 'zod';

/** The WebSocket path (query: token, lab, session?). */
export const TERMINAL_PATH = '/api/terminal';
/** The token route (query: lab). */
export const TERMINAL_TOKEN_PATH = '/api/terminal/token';

/** Largest frame either way; a bigger client frame closes the socket with 1009. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;
/** Pause the pty when this many output bytes are sent and not acked. */
export const FLOW_HIGH_BYTES = 512 * 1024;
/** Resume it when acks bring the count under this. */
export const FLOW_LOW_BYTES = 128 * 1024;
/** How often (in rendered bytes) the client should ack. */
export const ACK_EVERY_BYTES = 64 * 1024;
/** Scrollback kept per session for a re-attach (the most recent bytes). */
export const SCROLLBACK_BYTES = 256 * 1024;
/** How long a token is valid. */
export const TOKEN_TTL_MS = 60_000;

/** WebSocket close codes the gateway uses. */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  /** Bad message (not JSON, wrong shape, binary frame). */
  policy: 1008,
  /** Frame larger than MAX_PAYLOAD_BYTES (sent by `ws` itself). */
  tooBig: 1009,
  /** The learner has too many sessions. */
  tryAgainLater: 1013,
  /** Another socket attached to this session. */
  replaced: 4000,
} as const;

const Dimension = z.number().int().min(1).max(1000);

export const InputMessageSchema = z.object({ t: z.literal('input'), d: z.string() }).strict();
export const ResizeMessageSchema = z.object({ t: z.literal('resize'), cols: Dimension, rows: Dimension }).strict();
export const PingMessageSchema = z
  .object({ t: z.literal('ping'), id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER) })
  .strict();
export const AckMessageSchema = z
  .object({ t: z.literal('ack'), bytes: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER) })
  .strict();

/** What the client may send (TEXT frames, JSON). */
export const ClientMessageSchema = z.discriminatedUnion('t', [
  InputMessageSchema,
  ResizeMessageSchema,
  PingMessageSchema,
  AckMessageSchema,
]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;

/** What the server sends as TEXT frames (output is BINARY frames). */
export type ServerMessage =
  | { t: 'hello'; session: string; replay: number; cols: number; rows: number }
  | { t: 'pong'; id: number }
  | { t: 'exit'; code: number }
  | { t: 'error'; code: string; message: string };

/** The token route's answer. */
export interface TerminalTokenResponse {
  token: string;
  /** ISO 8601. */
  expiresAt: string;
}

/** Parses one TEXT frame; a reason (short enough for a close frame) when it is not a valid client message. */
export function parseClientMessage(text: string): { ok: true; message: ClientMessage } | { ok: false; reason: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'message is not JSON' };
  }
  const parsed = ClientMessageSchema.safeParse(raw);
  if (parsed.success) return { ok: true, message: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue?.path.map(String).join('.') || 'message';
  // A close reason is at most 123 bytes.
  return { ok: false, reason: `invalid ${where}: ${issue?.message ?? 'bad shape'}`.slice(0, 120) };
}
