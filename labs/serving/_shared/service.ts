/**
 * What the serving labs share about the learner's model API (not a lab: no
 * lab.ts). The grader starts the service from the workspace's Procfile with
 * random Basic-auth credentials in SERVING_USERNAME / SERVING_PASSWORD, on a
 * free loopback port, and talks to it only there: every request goes to the
 * service's own URL with a timeout and a body cap, and a redirect to another
 * host is a failure, never followed. Whatever the service answers (HTML, a
 * hang, a flood) becomes a `fail` that says what came back.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  EvidenceError,
  fail,
  workspaceService,
  type CheckContext,
  type CheckOutcome,
  type RunningService,
} from '@mlops-lab/grader/authoring';

export const USERNAME_VAR = 'SERVING_USERNAME';
export const PASSWORD_VAR = 'SERVING_PASSWORD';
export const PROCFILE_EXAMPLE = 'web: uvicorn app.main:app --host 127.0.0.1 --port $PORT';
/** How long one request to the learner's service may take (a model API answers one row in milliseconds). */
export const REQUEST_TIMEOUT_MS = 5_000;
/** Bytes of a response the grader reads; a prediction for a few rows is far smaller. */
export const MAX_BODY_BYTES = 256 * 1024;

export interface Credentials {
  username: string;
  password: string;
}

/** Random credentials for this grading run: a service that hard-codes its own cannot pass. */
export function graderCredentials(ctx: Pick<CheckContext, 'memo'>): Promise<Credentials> {
  return ctx.memo('serving:credentials', () =>
    Promise.resolve({ username: `grader-${randomBytes(3).toString('hex')}`, password: randomBytes(18).toString('base64url') }),
  );
}

/** More environment for the learner's service, derived from the check context (a lab's MLflow names). */
export type ServiceEnv = (ctx: CheckContext) => Record<string, string>;

/**
 * The learner's service for this grading run, started once with the grader's credentials and `env`
 * (every check of a lab must pass the same `env`: the first caller starts the service).
 */
export async function learnerService(ctx: CheckContext, env?: ServiceEnv): Promise<RunningService> {
  const credentials = await graderCredentials(ctx);
  return workspaceService(ctx, {
    env: { ...env?.(ctx), [USERNAME_VAR]: credentials.username, [PASSWORD_VAR]: credentials.password },
    readyTimeoutMs: 60_000,
  });
}

/** A failing outcome for a service that would not start (no Procfile, bad Procfile, exited, never answered); undefined for other errors. */
export function startFailure(error: unknown): CheckOutcome | undefined {
  if (!(error instanceof EvidenceError)) return undefined;
  const expected = `a Procfile line such as \`${PROCFILE_EXAMPLE}\`, and a service that answers GET /health on $PORT`;
  switch (error.code) {
    case 'SERVICE_NO_PROCFILE':
    case 'SERVICE_BAD_PROCFILE':
      return fail({
        message: error.message,
        expected,
        actual: 'no usable "web" line in Procfile',
        hint: error.nextStep ?? `Add \`${PROCFILE_EXAMPLE}\` to Procfile.`,
      });
    case 'SERVICE_EXITED':
      return fail({
        message: 'Your service exited before it answered HTTP.',
        expected,
        actual: error.message,
        hint: `Run the Procfile's web command by hand in the workspace to see the error, with the variables the grader sets: \`PORT=8000 ${USERNAME_VAR}=me ${PASSWORD_VAR}=secret uvicorn app.main:app --host 127.0.0.1 --port 8000\`.`,
      });
    case 'SERVICE_NOT_READY':
      return fail({
        message: 'Your service started but never answered GET /health on the port in $PORT.',
        expected,
        actual: error.message,
        hint: error.nextStep ?? 'Use --port $PORT in the Procfile.',
      });
    default:
      return undefined;
  }
}

export interface CallOptions {
  method?: string;
  json?: unknown;
  body?: string;
  headers?: Record<string, string>;
  credentials?: Credentials;
  timeoutMs?: number;
}

/** What one call to the learner's service gave. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
  truncated: boolean;
  durationMs: number;
  json(): unknown;
}

/**
 * One request to the learner's own service (its loopback URL and a path),
 * bounded in time and bytes. A timeout, a broken connection or a redirect to
 * another host comes back as a failing outcome that names the endpoint.
 */
export async function call(
  ctx: CheckContext,
  service: RunningService,
  path: string,
  options: CallOptions = {},
): Promise<Answer | CheckOutcome> {
  const shown = `${options.method ?? 'GET'} ${path}`;
  try {
    return await ctx.http.request(`${service.url}${path}`, {
      method: options.method ?? 'GET',
      ...(options.json !== undefined ? { json: options.json } : {}),
      ...(options.body !== undefined ? { body: options.body } : {}),
      headers: options.headers ?? {},
      ...(options.credentials ? { basicAuth: options.credentials } : {}),
      timeoutMs: options.timeoutMs ?? REQUEST_TIMEOUT_MS,
      maxBytes: MAX_BODY_BYTES,
      maxRedirects: 3,
      signal: ctx.signal,
    });
  } catch (error) {
    if (!(error instanceof EvidenceError)) throw error;
    const actual: Record<string, string> = {
      HTTP_TIMEOUT: `no complete answer within ${(options.timeoutMs ?? REQUEST_TIMEOUT_MS) / 1000} s`,
      HTTP_REDIRECT_OFF_HOST: 'a redirect to another host (the grader never follows those)',
      HTTP_TOO_MANY_REDIRECTS: 'a redirect loop',
      HTTP_UNREACHABLE: 'the connection failed or broke off',
    };
    if (!(error.code in actual)) throw error;
    return fail({
      message: `${shown} on your service did not give an answer the grader can use: ${error.message}`,
      expected: `${shown} answers directly, within ${(options.timeoutMs ?? REQUEST_TIMEOUT_MS) / 1000} s`,
      actual: actual[error.code]!,
      hint: `Try it yourself while the service runs: \`curl -v ${curlExample(path, options)}\`. Serve the endpoint in the service itself (no redirect elsewhere), and do not block on slow work in the request.`,
    });
  }
}

function curlExample(path: string, options: CallOptions): string {
  const auth = options.credentials ? `-u "$${USERNAME_VAR}:$${PASSWORD_VAR}" ` : '';
  const body = options.json !== undefined ? `-H 'content-type: application/json' -d '${JSON.stringify(options.json).slice(0, 300)}' ` : '';
  return `${auth}${body}http://127.0.0.1:$PORT${path}`;
}

/** JSON.parse, or undefined for text that is not JSON. */
export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function isOutcome(value: unknown): value is CheckOutcome {
  return typeof value === 'object' && value !== null && 'status' in value && 'message' in value && !('headers' in value);
}

/** The start of a body, on one line, for `actual`. */
export function snippet(body: string, max = 200): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  if (!flat) return '(empty body)';
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** `status 200, body {...}` for `actual`. */
export function describeAnswer(answer: Answer): string {
  return `status ${answer.status}, body ${snippet(answer.body)}${answer.truncated ? ' (cut at the grader’s limit)' : ''}`;
}

// ------------------------------------------------------------------ the API contract

/** The six features of the loan-default model, in the model's order. */
export const FEATURES = ['age', 'annual_income', 'loan_amount', 'credit_score', 'debt_to_income', 'late_payments_12m'] as const;
export type LoanRow = Record<(typeof FEATURES)[number], number>;

/** A careful borrower: low debt, good score, no late payments. */
export const LOW_RISK: LoanRow = {
  age: 45,
  annual_income: 95_000,
  loan_amount: 8_000,
  credit_score: 790,
  debt_to_income: 0.12,
  late_payments_12m: 0,
};
/** A stretched borrower: high debt, low score, late payments. */
export const HIGH_RISK: LoanRow = {
  age: 29,
  annual_income: 21_000,
  loan_amount: 12_000,
  credit_score: 520,
  debt_to_income: 0.68,
  late_payments_12m: 5,
};
export const MIDDLE: LoanRow = {
  age: 38,
  annual_income: 52_000,
  loan_amount: 12_000,
  credit_score: 660,
  debt_to_income: 0.31,
  late_payments_12m: 1,
};

/** What POST /predict must answer: one prediction per row, in order. */
export const PredictionsSchema = z.object({
  predictions: z.array(
    z.object({
      probability: z.number().min(0).max(1),
      class: z.union([z.literal(0), z.literal(1)]),
    }),
  ),
});
export type Predictions = z.infer<typeof PredictionsSchema>;

/** The predictions of an answer, or why they are not usable (plain words naming the field). */
export function readPredictions(answer: Pick<Answer, 'json' | 'body'>, rows: number): Predictions | string {
  const body = answer.json();
  if (body === undefined) return `the body is not JSON: ${snippet(answer.body, 120)}`;
  const parsed = PredictionsSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.length
      ? issue.path
          .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
          .join('')
          .replace(/^\./, '')
      : 'the body';
    return `${path}: ${/received undefined/.test(issue.message) ? 'is missing' : issue.message}`;
  }
  if (parsed.data.predictions.length !== rows) return `${parsed.data.predictions.length} prediction(s) for ${rows} rows`;
  return parsed.data;
}

export const PREDICT_CONTRACT =
  'POST /predict with {"rows": [{age, annual_income, loan_amount, credit_score, debt_to_income, late_payments_12m}, ...]} ' +
  'answers 200 {"predictions": [{"probability": 0..1, "class": 0|1}, ...]}, one per row, in order';
