import { DockerfileParser, type Arg, type Env, type From } from 'dockerfile-ast';
import { EvidenceError } from '../errors.ts';
import type { WorkspaceFiles } from './files.ts';

/** Learners' Dockerfiles are short; a larger file is refused rather than parsed. */
export const MAX_DOCKERFILE_BYTES = 256 * 1024;
export const MAX_DOCKERFILE_LINES = 5_000;

export interface DockerfileStage {
  /** Zero-based index of the stage. */
  index: number;
  /** `AS name`, if given. */
  name: string | undefined;
  /** The FROM image as written, e.g. `python:3.11-slim-bookworm`. */
  image: string;
  /** Image name without tag or digest, e.g. `python`. */
  imageName: string;
  tag: string | undefined;
  digest: string | undefined;
  /** True when FROM refers to an earlier stage (or `scratch`), not a registry image. */
  fromStage: boolean;
  /** One-based line of the FROM instruction. */
  line: number;
  instructions: DockerfileInstruction[];
}

export interface DockerfileInstruction {
  keyword: string;
  /** Arguments without flags, after line continuations are joined. */
  args: string;
  /** Flags such as `--from=train` or `--chown=10001`, as written. */
  flags: string[];
  /** One-based line. */
  line: number;
}

export interface DockerfileVariable {
  kind: 'ENV' | 'ARG';
  name: string;
  value: string | undefined;
  line: number;
  stage: number;
}

export interface DockerfileModel {
  stages: DockerfileStage[];
  /** The last stage: what `docker build` produces without `--target`. */
  finalStage: DockerfileStage;
  variables: DockerfileVariable[];
}

/** Reads and parses the workspace's Dockerfile with caps, as evidence for checks. */
export async function readDockerfile(files: WorkspaceFiles, path = 'Dockerfile'): Promise<DockerfileModel> {
  const text = await files.readText(path, { maxBytes: MAX_DOCKERFILE_BYTES });
  return parseDockerfile(text, path);
}

/**
 * Parses Dockerfile text with dockerfile-ast (the parser behind the Docker
 * language server) into the shape checks need.
 */
export function parseDockerfile(text: string, path = 'Dockerfile'): DockerfileModel {
  const lineCount = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  if (lineCount > MAX_DOCKERFILE_LINES) {
    throw new EvidenceError(
      'DOCKERFILE_TOO_LONG',
      `${path} has ${lineCount} lines; the grader reads Dockerfiles of at most ${MAX_DOCKERFILE_LINES} lines.`,
      `A Dockerfile for one service is usually under 100 lines: check \`wc -l ${path}\`.`,
    );
  }
  const doc = DockerfileParser.parse(text);
  const froms = doc.getFROMs();
  if (froms.length === 0) {
    throw new EvidenceError(
      'DOCKERFILE_NO_FROM',
      `${path} has no FROM instruction, so it does not describe an image.`,
      'Start the Dockerfile with a base image, e.g. `FROM python:3.11-slim-bookworm`.',
    );
  }
  const stageNames = new Set<string>();
  const stages: DockerfileStage[] = froms.map((from, index) => {
    const stage = toStage(from, index, stageNames);
    if (stage.name) stageNames.add(stage.name.toLowerCase());
    return stage;
  });
  const variables: DockerfileVariable[] = [];
  const stageOfLine = (line: number): number => {
    let current = -1;
    for (const s of stages) if (s.line <= line) current = s.index;
    return current;
  };
  for (const instruction of doc.getInstructions()) {
    const line = (instruction.getRange()?.start.line ?? 0) + 1;
    const keyword = instruction.getKeyword().toUpperCase();
    const stageIndex = stageOfLine(line);
    if (keyword !== 'FROM' && stageIndex >= 0) {
      const flags = 'getFlags' in instruction ? (instruction as unknown as { getFlags(): { toString(): string }[] }).getFlags().map((f) => f.toString()) : [];
      stages[stageIndex]!.instructions.push({ keyword, args: instruction.getArgumentsContent() ?? '', flags, line });
    }
    if (keyword === 'ENV') {
      for (const p of (instruction as Env).getProperties()) {
        variables.push({ kind: 'ENV', name: p.getName(), value: p.getValue() ?? undefined, line, stage: stageIndex });
      }
    } else if (keyword === 'ARG') {
      const p = (instruction as Arg).getProperty();
      if (p) variables.push({ kind: 'ARG', name: p.getName(), value: p.getValue() ?? undefined, line, stage: stageIndex });
    }
  }
  return { stages, finalStage: stages[stages.length - 1]!, variables };
}

function toStage(from: From, index: number, earlierStages: Set<string>): DockerfileStage {
  const image = from.getImage() ?? '';
  const imageName = from.getImageName() ?? image;
  const fromStage = earlierStages.has(imageName.toLowerCase()) || imageName.toLowerCase() === 'scratch';
  return {
    index,
    name: from.getBuildStage() ?? undefined,
    image,
    imageName,
    tag: from.getImageTag() ?? undefined,
    digest: from.getImageDigest() ?? undefined,
    fromStage,
    line: (from.getRange()?.start.line ?? 0) + 1,
    instructions: [],
  };
}
