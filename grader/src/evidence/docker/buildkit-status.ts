/**
 * Reads the steps of a BuildKit build from its progress stream.
 *
 * With BuildKit (build API version 2) the engine sends each progress update
 * as a JSON line `{"id":"moby.buildkit.trace","aux":"<base64>"}` whose aux is
 * a protobuf `moby.buildkit.v1.StatusResponse`. Only the vertices (the build
 * steps) are decoded here: their name, whether BuildKit answered them from
 * its cache, when they completed and their error. Field numbers follow
 * BuildKit's api/services/control/control.proto:
 *
 *   StatusResponse { repeated Vertex vertexes = 1; ... }
 *   Vertex { string digest = 1; repeated string inputs = 2; string name = 3;
 *            bool cached = 4; Timestamp started = 5; Timestamp completed = 6;
 *            string error = 7; ... }
 */

/** One step of a BuildKit build, merged over every update the engine sent for it. */
export interface BuildStep {
  /** BuildKit's digest of the step (stable for the same inputs). */
  digest: string;
  /** As BuildKit prints it, e.g. `[2/5] RUN pip install -r requirements.lock`. */
  name: string;
  /** True when BuildKit reused the step's result from its cache (`CACHED` in `docker build` output). */
  cached: boolean;
  /** True when the step finished (cached or run). */
  completed: boolean;
  /** BuildKit's error for a failed step. */
  error?: string;
}

interface VertexUpdate {
  digest: string;
  name: string;
  cached: boolean;
  started: boolean;
  completed: boolean;
  error: string;
}

/** Collects the steps of one build from the lines of its progress stream. */
export class BuildStepRecorder {
  readonly #steps = new Map<string, BuildStep>();
  #pending = '';

  /** Feeds a raw chunk of the build's response body (JSON lines, possibly split anywhere). */
  write(chunk: Buffer | string): void {
    const lines = (this.#pending + chunk.toString()).split('\n');
    this.#pending = lines.pop() ?? '';
    // A line longer than 8 MiB is not a trace the engine sends; drop it rather than grow without bound.
    if (this.#pending.length > 8 * 1024 * 1024) this.#pending = '';
    for (const line of lines) this.#line(line);
  }

  /** The steps in the order BuildKit first reported them. */
  steps(): BuildStep[] {
    if (this.#pending.trim()) this.#line(this.#pending);
    this.#pending = '';
    return [...this.#steps.values()].map((s) => ({ ...s }));
  }

  #line(line: string): void {
    if (!line.includes('moby.buildkit.trace')) return;
    let aux: unknown;
    try {
      const parsed = JSON.parse(line) as { id?: unknown; aux?: unknown };
      if (parsed.id !== 'moby.buildkit.trace') return;
      aux = parsed.aux;
    } catch {
      return;
    }
    if (typeof aux !== 'string' || aux === '') return;
    let vertices: VertexUpdate[];
    try {
      vertices = decodeStatusVertices(Buffer.from(aux, 'base64'));
    } catch {
      return; // A trace this decoder does not understand only costs the step list, never the build.
    }
    for (const v of vertices) {
      const known = this.#steps.get(v.digest);
      if (!known) {
        this.#steps.set(v.digest, {
          digest: v.digest,
          name: v.name,
          cached: v.cached,
          completed: v.completed,
          ...(v.error ? { error: v.error } : {}),
        });
        continue;
      }
      if (v.name) known.name = v.name;
      known.cached ||= v.cached;
      known.completed ||= v.completed;
      if (v.error) known.error = v.error;
    }
  }
}

/** Decodes the vertices of a `moby.buildkit.v1.StatusResponse` message. */
export function decodeStatusVertices(message: Uint8Array): VertexUpdate[] {
  const out: VertexUpdate[] = [];
  for (const field of fields(message)) {
    if (field.number === 1 && field.bytes) out.push(decodeVertex(field.bytes));
  }
  return out;
}

function decodeVertex(message: Uint8Array): VertexUpdate {
  const v: VertexUpdate = { digest: '', name: '', cached: false, started: false, completed: false, error: '' };
  const text = (b: Uint8Array | undefined): string => Buffer.from(b ?? []).toString('utf8');
  for (const field of fields(message)) {
    switch (field.number) {
      case 1:
        v.digest = text(field.bytes);
        break;
      case 3:
        v.name = text(field.bytes);
        break;
      case 4:
        v.cached = field.varint !== undefined && field.varint !== 0;
        break;
      case 5:
        v.started = field.bytes !== undefined;
        break;
      case 6:
        v.completed = field.bytes !== undefined;
        break;
      case 7:
        v.error = text(field.bytes);
        break;
    }
  }
  return v;
}

interface Field {
  number: number;
  varint?: number;
  bytes?: Uint8Array;
}

/** The top-level fields of one protobuf message (wire types 0, 1, 2 and 5). */
function* fields(buf: Uint8Array): Generator<Field> {
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= buf.length) throw new Error('truncated varint');
      const byte = buf[pos++]!;
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return result;
      scale *= 128;
    }
    throw new Error('varint longer than 10 bytes');
  };
  while (pos < buf.length) {
    const key = varint();
    const number = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === 0) {
      yield { number, varint: varint() };
    } else if (wire === 2) {
      const length = varint();
      if (pos + length > buf.length) throw new Error('truncated field');
      yield { number, bytes: buf.subarray(pos, pos + length) };
      pos += length;
    } else if (wire === 1) {
      pos += 8;
    } else if (wire === 5) {
      pos += 4;
    } else {
      throw new Error(`unsupported wire type ${wire}`);
    }
  }
}
