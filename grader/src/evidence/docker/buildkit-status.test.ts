import { describe, expect, it } from 'vitest';
import { BuildStepRecorder, decodeStatusVertices } from './buildkit-status.ts';

// A minimal protobuf writer for the fields BuildKit's StatusResponse uses,
// so the tests state the wire bytes they feed the decoder.
function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}
const bytesField = (field: number, data: Uint8Array | string): number[] => {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  return [...varint(field * 8 + 2), ...varint(bytes.length), ...bytes];
};
const varintField = (field: number, n: number): number[] => [...varint(field * 8), ...varint(n)];
const timestamp = (seconds: number): Uint8Array => Uint8Array.from(varintField(1, seconds));

interface VertexSpec {
  digest: string;
  name?: string;
  cached?: boolean;
  started?: boolean;
  completed?: boolean;
  error?: string;
}
function vertex(v: VertexSpec): Uint8Array {
  return Uint8Array.from([
    ...bytesField(1, v.digest),
    ...bytesField(2, 'sha256:input'),
    ...(v.name ? bytesField(3, v.name) : []),
    ...(v.cached ? varintField(4, 1) : []),
    ...(v.started ? bytesField(5, timestamp(1_700_000_000)) : []),
    ...(v.completed ? bytesField(6, timestamp(1_700_000_001)) : []),
    ...(v.error ? bytesField(7, v.error) : []),
    // A field this decoder does not know (progressGroup = 8) and a fixed64 one: both skipped.
    ...bytesField(8, Uint8Array.from(bytesField(1, 'group'))),
    ...[(9 * 8 + 1) >>> 0, 1, 2, 3, 4, 5, 6, 7, 8],
  ]);
}
function status(...vertices: VertexSpec[]): Buffer {
  // Field 3 (logs) comes first, as it can in real traces.
  return Buffer.from([...bytesField(3, Uint8Array.from(bytesField(4, 'log line'))), ...vertices.flatMap((v) => bytesField(1, vertex(v)))]);
}
const traceLine = (message: Buffer): string => `${JSON.stringify({ id: 'moby.buildkit.trace', aux: message.toString('base64') })}\n`;

describe('decodeStatusVertices', () => {
  it('returns digest, name, cached, completed and error of each vertex', () => {
    const decoded = decodeStatusVertices(
      status(
        { digest: 'sha256:a', name: '[2/3] RUN make', cached: true, started: true, completed: true },
        { digest: 'sha256:b', name: '[3/3] RUN false', started: true, error: 'exit code: 1' },
      ),
    );
    expect(decoded.map(({ digest, name, cached, completed, error }) => ({ digest, name, cached, completed, error }))).toEqual([
      { digest: 'sha256:a', name: '[2/3] RUN make', cached: true, completed: true, error: '' },
      { digest: 'sha256:b', name: '[3/3] RUN false', cached: false, completed: false, error: 'exit code: 1' },
    ]);
  });

  it('errors on a truncated message', () => {
    const message = status({ digest: 'sha256:a', name: 'x' });
    expect(() => decodeStatusVertices(message.subarray(0, message.length - 3))).toThrow(/truncated/);
  });
});

describe('BuildStepRecorder', () => {
  it('returns steps in first-seen order, merging later updates of the same digest', () => {
    const recorder = new BuildStepRecorder();
    recorder.write(
      traceLine(
        status(
          { digest: 'sha256:a', name: '[1/2] FROM python', started: true },
          { digest: 'sha256:b', name: '[2/2] RUN install', started: true },
        ),
      ),
    );
    recorder.write(traceLine(status({ digest: 'sha256:b', cached: true, completed: true })));
    recorder.write(traceLine(status({ digest: 'sha256:a', completed: true })));
    expect(recorder.steps()).toEqual([
      { digest: 'sha256:a', name: '[1/2] FROM python', cached: false, completed: true },
      { digest: 'sha256:b', name: '[2/2] RUN install', cached: true, completed: true },
    ]);
  });

  it('returns the same steps whatever the chunking of the stream', () => {
    const body =
      traceLine(status({ digest: 'sha256:a', name: '[1/1] COPY . .', cached: true, completed: true })) +
      traceLine(status({ digest: 'sha256:c', name: 'exporting to image', completed: true }));
    const whole = new BuildStepRecorder();
    whole.write(body);
    const bytewise = new BuildStepRecorder();
    for (let i = 0; i < body.length; i += 7) bytewise.write(Buffer.from(body.slice(i, i + 7)));
    expect(bytewise.steps()).toEqual(whole.steps());
    expect(whole.steps().map((s) => s.name)).toEqual(['[1/1] COPY . .', 'exporting to image']);
  });

  it('ignores classic-builder lines, image id lines, empty and undecodable traces', () => {
    const recorder = new BuildStepRecorder();
    recorder.write('{"stream":"Step 1/2 : FROM python"}\n{"aux":{"ID":"sha256:x"},"id":"moby.image.id"}\n');
    recorder.write('{"id":"moby.buildkit.trace","aux":""}\n{"id":"moby.buildkit.trace","aux":"////"}\nnot json moby.buildkit.trace\n');
    recorder.write(traceLine(status({ digest: 'sha256:ok', name: 'kept' })));
    expect(recorder.steps().map((s) => s.name)).toEqual(['kept']);
  });

  it('keeps the error of a failed step', () => {
    const recorder = new BuildStepRecorder();
    recorder.write(traceLine(status({ digest: 'sha256:f', name: '[2/2] RUN false', started: true })));
    recorder.write(
      traceLine(
        status({ digest: 'sha256:f', completed: true, error: 'process "/bin/sh -c false" did not complete successfully: exit code: 1' }),
      ),
    );
    expect(recorder.steps()[0]).toMatchObject({
      name: '[2/2] RUN false',
      cached: false,
      completed: true,
      error: expect.stringContaining('exit code: 1'),
    });
  });
});
