/**
 * The journal beside the mentor store's JSON file: `<file>.journal`, one
 * JSON line per acknowledged change since the file was last rewritten.
 *
 * Rewriting a file of 200 000 attempts (hundreds of MB) for every sync
 * would cap the store at a few hundred attempts per second, so a change is
 * appended here and flushed (that is the acknowledgement), and the JSON
 * file is rewritten atomically ("compacted") only when the journal has
 * grown to half its size. Replaying an entry is idempotent (records are
 * added only when their id is new), so a crash between the rewrite and the
 * journal's truncation replays entries the file already holds, harmlessly.
 * A process killed mid-append leaves an unterminated last line: it was never
 * acknowledged, readers ignore it, and the next writer cuts it off.
 */
import { open, stat } from 'node:fs/promises';
import { AttemptResultSchema } from '@mlops-lab/grader';
import { z } from 'zod';
import { CohortSchema, LearnerRecordSchema, MentorSchema, MentorStoreError, SessionSchema, VerificationSchema } from '../types.ts';
import { describeError, errorCode, isRecord, shellQuote, summarizeIssues } from './file.ts';

/** Marks the first line of a journal. */
export const JOURNAL_FORMAT = 'mlops-lab-mentor-journal';
/** Layout version of the journal's lines. */
export const JOURNAL_VERSION = 1;

const isoTime = () => z.iso.datetime({ offset: true });

export const JournalHeaderSchema = z
  .object({
    /** Always `mlops-lab-mentor-journal`. */
    format: z.literal(JOURNAL_FORMAT),
    /** Layout version of the entries, see JOURNAL_VERSION. */
    version: z.literal(JOURNAL_VERSION),
  })
  .strict();

/** One acknowledged change. */
export const JournalEntrySchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('mentor'), mentor: MentorSchema }).strict(),
  z.object({ op: z.literal('cohort'), cohort: CohortSchema }).strict(),
  z.object({ op: z.literal('learner'), learner: LearnerRecordSchema }).strict(),
  z
    .object({
      op: z.literal('session'),
      session: SessionSchema,
      /** Sessions that expired at or before this time are dropped with this entry. */
      pruneBefore: isoTime(),
    })
    .strict(),
  z.object({ op: z.literal('session-delete'), idHash: z.string() }).strict(),
  z
    .object({
      op: z.literal('attempts'),
      learnerId: z.uuid(),
      receivedAt: isoTime(),
      verification: VerificationSchema,
      /** Only the attempts that were accepted. */
      attempts: z.array(AttemptResultSchema),
    })
    .strict(),
]);
export type JournalEntry = z.infer<typeof JournalEntrySchema>;

/** What reading the journal from an offset found. */
export interface JournalRead {
  entries: JournalEntry[];
  /** Offset just past the last complete line: where the next read starts, and where a writer cuts off a torn tail. */
  end: number;
  /** Bytes after `end`: an unterminated line left by a killed writer, or one being written right now. */
  tornBytes: number;
}

export class Journal {
  readonly file: string;

  constructor(storeFile: string) {
    this.file = `${storeFile}.journal`;
  }

  /** Size in bytes; 0 when there is no journal. */
  async size(): Promise<number> {
    try {
      return (await stat(this.file)).size;
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return 0;
      throw this.#unreadable(error);
    }
  }

  /** The complete entries from `offset` (0: the whole journal, header included). */
  async read(offset: number): Promise<JournalRead> {
    let buffer: Buffer;
    try {
      const handle = await open(this.file, 'r');
      try {
        const size = (await handle.stat()).size;
        buffer = Buffer.alloc(Math.max(0, size - offset));
        let got = 0;
        while (got < buffer.length) {
          const { bytesRead } = await handle.read(buffer, got, buffer.length - got, offset + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
        buffer = buffer.subarray(0, got);
      } finally {
        await handle.close();
      }
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return { entries: [], end: 0, tornBytes: 0 };
      throw this.#unreadable(error);
    }
    const entries: JournalEntry[] = [];
    let pos = 0;
    let lineNumber = offset === 0 ? 0 : undefined;
    for (;;) {
      const nl = buffer.indexOf(10, pos);
      if (nl === -1) break;
      const text = buffer.toString('utf8', pos, nl);
      const at = offset + pos;
      pos = nl + 1;
      if (lineNumber !== undefined) lineNumber++;
      if (at === 0) {
        this.#checkHeader(text);
        continue;
      }
      entries.push(this.#parseEntry(text, lineNumber, at));
    }
    return { entries, end: offset + pos, tornBytes: buffer.length - pos };
  }

  /**
   * Appends one entry and flushes it. `end` is where the last complete line
   * ends (a torn tail after it is cut off first); 0 starts a new journal.
   * Resolves with the new end.
   */
  async append(entry: JournalEntry, end: number): Promise<number> {
    const line = `${JSON.stringify(entry)}\n`;
    const text = end === 0 ? `${JSON.stringify({ format: JOURNAL_FORMAT, version: JOURNAL_VERSION })}\n${line}` : line;
    try {
      const handle = await open(this.file, end === 0 ? 'w' : 'r+');
      try {
        if (end > 0) await handle.truncate(end);
        const bytes = Buffer.from(text, 'utf8');
        let written = 0;
        while (written < bytes.length) {
          const { bytesWritten } = await handle.write(bytes, written, bytes.length - written, end + written);
          written += bytesWritten;
        }
        await handle.sync();
        return end + bytes.length;
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw new MentorStoreError(
        'STORE_UNWRITABLE',
        `Could not append to the mentor store's journal ${this.file}: ${describeError(error)}. The change was not stored.`,
        `Check that the disk is not full and that the mentor server can write to the folder of ${shellQuote(this.file)}.`,
        { cause: error },
      );
    }
  }

  /** Empties the journal after its entries went into the JSON file. */
  async clear(): Promise<void> {
    try {
      const handle = await open(this.file, 'r+');
      try {
        await handle.truncate(0);
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return;
      // The entries are in the JSON file already; replaying them is harmless.
    }
  }

  #checkHeader(text: string): void {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw this.#corrupt(`its first line is not JSON (${describeError(error)})`, error);
    }
    if (isRecord(json) && json.format === JOURNAL_FORMAT && typeof json.version === 'number' && json.version > JOURNAL_VERSION) {
      throw new MentorStoreError(
        'STORE_TOO_NEW',
        `The mentor store's journal ${this.file} has layout version ${json.version}; this mlops-lab understands up to version ${JOURNAL_VERSION}. It was left untouched.`,
        'Update mlops-lab on this server (git pull && npm install) and start it again.',
      );
    }
    const parsed = JournalHeaderSchema.safeParse(json);
    if (!parsed.success) throw this.#corrupt(`its first line is not a journal header (${summarizeIssues(parsed.error)})`, parsed.error);
  }

  #parseEntry(text: string, lineNumber: number | undefined, at: number): JournalEntry {
    const where = lineNumber !== undefined ? `line ${lineNumber}` : `the line at byte ${at}`;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw this.#corrupt(`${where} is not JSON (${describeError(error)})`, error);
    }
    const parsed = JournalEntrySchema.safeParse(json);
    if (!parsed.success) throw this.#corrupt(`${where} is not a journal entry (${summarizeIssues(parsed.error)})`, parsed.error);
    return parsed.data;
  }

  #corrupt(why: string, cause: unknown): MentorStoreError {
    return new MentorStoreError(
      'STORE_CORRUPT',
      `The mentor store's journal ${this.file} cannot be used: ${why}. It and the store were left untouched.`,
      `Keep a copy (it holds acknowledged attempts), then remove the broken lines by hand, or move it aside to start from the last rewrite of the store: mv ${shellQuote(this.file)} ${shellQuote(`${this.file}.broken`)}`,
      { cause },
    );
  }

  #unreadable(error: unknown): MentorStoreError {
    return new MentorStoreError(
      'STORE_UNREADABLE',
      `Could not read the mentor store's journal ${this.file}: ${describeError(error)}.`,
      `Check that the mentor server can read it: ls -l ${shellQuote(this.file)}`,
      { cause: error },
    );
  }
}
