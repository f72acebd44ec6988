/**
 * Reads every layer of an image as `docker save` exports it, without
 * unpacking anything to disk: which files each layer adds, which it
 * deletes (whiteouts), and which instruction made it. A file added in one
 * layer and deleted in a later one is still in the image: anyone who pulls
 * it can read the earlier layer.
 *
 * Both archive layouts are understood: the classic one (`<id>/layer.tar`,
 * Docker before 25) and the OCI one (`blobs/sha256/<digest>`, possibly
 * gzip- or zstd-compressed). `manifest.json`, which both have, says which
 * blob is which layer; it may come last, so layers are mapped at the end.
 */
import { blobKind, decompressedSource, tarEntries, type ByteSource } from './tar-reader.ts';

/** One regular file a layer adds, as shown to {@link LayerScanOptions.classify}. */
export interface LayerFileCandidate {
  /** Absolute path in the image, e.g. `/app/.env`. */
  path: string;
  size: number;
  /** The first bytes of the file, when it is at most `sniffBytes` long. */
  content?: Buffer;
}

export interface LayerScanOptions {
  /** Returns why a file is of interest (e.g. "an SSH private key"), or undefined. */
  classify(file: LayerFileCandidate): string | undefined;
  /** Files up to this size are read and passed as `content`. Default: 0 (names only). */
  sniffBytes?: number;
  /** Stop recording findings after this many. Default: 100. */
  maxFindings?: number;
}

export interface LayerFinding {
  /** Zero-based layer index, as in `RootFS.Layers`. */
  layer: number;
  path: string;
  size: number;
  reason: string;
  /** Index of a later layer that deletes the file (it is still in `layer`). */
  deletedInLayer?: number;
}

export interface ScannedLayer {
  index: number;
  /** The instruction that made the layer, from the image config's history. */
  createdBy: string;
  files: number;
  bytes: number;
}

export interface LayerScan {
  layers: ScannedLayer[];
  findings: LayerFinding[];
  /** True when more findings existed than `maxFindings`. */
  truncated: boolean;
}

interface BlobScan {
  files: number;
  bytes: number;
  findings: { path: string; size: number; reason: string }[];
  /** Paths this layer deletes; `/dir/` marks an opaque directory (everything below it is hidden). */
  deletions: string[];
}

interface SaveManifest {
  Config?: string;
  Layers?: string[];
}

interface ImageConfig {
  history?: { created_by?: string; empty_layer?: boolean }[];
}

const MAX_JSON_BYTES = 4 * 1024 * 1024;
const MAX_DELETIONS_PER_LAYER = 10_000;

/** Scans a `docker save` archive read from `source`. */
export async function scanSavedImage(source: ByteSource, options: LayerScanOptions): Promise<LayerScan> {
  const blobs = new Map<string, BlobScan>();
  const jsons = new Map<string, string>();
  const maxFindings = options.maxFindings ?? 100;
  let findingCount = 0;
  let truncated = false;
  for await (const entry of tarEntries(source)) {
    if (entry.type !== 'file') continue;
    const head = await entry.body.read(1024);
    const kind = blobKind(head);
    if (kind === 'other') {
      if (
        entry.size <= MAX_JSON_BYTES &&
        (entry.path.endsWith('.json') || entry.path.startsWith('blobs/') || entry.path === 'manifest.json')
      ) {
        const rest = await entry.body.read(MAX_JSON_BYTES);
        jsons.set(entry.path, Buffer.concat([head, rest]).toString('utf8'));
      }
      continue;
    }
    const scan: BlobScan = { files: 0, bytes: 0, findings: [], deletions: [] };
    blobs.set(entry.path, scan);
    for await (const file of tarEntries(decompressedSource(kind, head, entry.body))) {
      const path = `/${file.path.replace(/\/$/, '')}`;
      const base = path.slice(path.lastIndexOf('/') + 1);
      if (base.startsWith('.wh.')) {
        if (scan.deletions.length < MAX_DELETIONS_PER_LAYER) {
          const dir = path.slice(0, path.lastIndexOf('/'));
          scan.deletions.push(base === '.wh..wh..opq' ? `${dir}/` : `${dir}/${base.slice(4)}`);
        }
        continue;
      }
      if (file.type !== 'file') continue;
      scan.files++;
      scan.bytes += file.size;
      if (findingCount >= maxFindings) {
        truncated ||= options.classify({ path, size: file.size }) !== undefined;
        continue;
      }
      const sniff = options.sniffBytes ?? 0;
      const content = file.size <= sniff ? await file.body.read(file.size) : undefined;
      const reason = options.classify({ path, size: file.size, ...(content ? { content } : {}) });
      if (reason) {
        scan.findings.push({ path, size: file.size, reason });
        findingCount++;
      }
    }
  }
  return assemble(blobs, jsons, truncated);
}

function assemble(blobs: Map<string, BlobScan>, jsons: Map<string, string>, truncated: boolean): LayerScan {
  const manifestText = jsons.get('manifest.json');
  if (!manifestText) throw new Error('the exported image has no manifest.json');
  const manifest = (JSON.parse(manifestText) as SaveManifest[])[0];
  const layerPaths = manifest?.Layers ?? [];
  let config: ImageConfig = {};
  if (manifest?.Config && jsons.has(manifest.Config)) config = JSON.parse(jsons.get(manifest.Config)!) as ImageConfig;
  const createdBy = (config.history ?? []).filter((h) => !h.empty_layer).map((h) => h.created_by ?? '');
  const scans = layerPaths.map((p) => blobs.get(p) ?? { files: 0, bytes: 0, findings: [], deletions: [] });
  const layers: ScannedLayer[] = scans.map((scan, index) => ({
    index,
    createdBy: createdBy[index] ?? '',
    files: scan.files,
    bytes: scan.bytes,
  }));
  const findings: LayerFinding[] = [];
  scans.forEach((scan, index) => {
    for (const f of scan.findings) {
      const deletedInLayer = scans.findIndex(
        (later, j) =>
          j > index && later.deletions.some((d) => d === f.path || (d.endsWith('/') ? f.path.startsWith(d) : f.path.startsWith(`${d}/`))),
      );
      findings.push({ layer: index, ...f, ...(deletedInLayer !== -1 ? { deletedInLayer } : {}) });
    }
  });
  return { layers, findings, truncated };
}
