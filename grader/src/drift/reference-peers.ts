/**
 * Test and benchmark support, not part of the library (index.ts does not
 * export it, and it is the only file here that does I/O): runs the reference
 * tools, scipy's ks_2samp and Evidently's DataDriftPreset, in the project's
 * .venv Python on the same data our code sees, so tests can hold our results
 * to theirs and the benchmark can time both.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { venvDir } from '../paths.ts';

/** The venv's python, which has scipy and evidently when `npm run setup:tools` ran. */
export function venvPython(): string {
  return join(venvDir(), process.platform === 'win32' ? 'Scripts' : 'bin', process.platform === 'win32' ? 'python.exe' : 'python');
}

const SCRIPT = String.raw`
import json, sys, time, warnings
warnings.filterwarnings("ignore")
request = json.load(sys.stdin)
mode = request["mode"]
runs = int(request.get("runs", 1))
out = []
if mode == "versions":
    import scipy, evidently
    print(json.dumps({"scipy": scipy.__version__, "evidently": evidently.__version__}))
    sys.exit(0)
import numpy as np
if mode == "ks":
    from scipy.stats import ks_2samp
    for case in request["cases"]:
        a = np.asarray(case["a"], dtype=float)
        b = np.asarray(case["b"], dtype=float)
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            r = ks_2samp(a, b)
            times.append(time.perf_counter() - t0)
        out.append({"statistic": float(r.statistic), "pValue": float(r.pvalue), "seconds": times})
elif mode == "evidently":
    import pandas as pd
    from evidently import Report, Dataset, DataDefinition
    from evidently.presets import DataDriftPreset
    def frame(columns, numerical):
        return pd.DataFrame({k: (pd.Series(v, dtype=float) if k in numerical else pd.Series(v)) for k, v in columns.items()})
    for case in request["cases"]:
        numerical, categorical = case["numerical"], case["categorical"]
        definition = DataDefinition(numerical_columns=numerical, categorical_columns=categorical)
        ref = Dataset.from_pandas(frame(case["reference"], numerical), data_definition=definition)
        cur = Dataset.from_pandas(frame(case["current"], numerical), data_definition=definition)
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            snapshot = Report([DataDriftPreset(drift_share=case.get("driftShare", 0.5), method=case.get("method"))], include_tests=True).run(cur, ref)
            times.append(time.perf_counter() - t0)
        data = snapshot.dict()
        columns = {}
        count = share = None
        for metric in data["metrics"]:
            config = metric["config"]
            if config["type"].endswith("ValueDrift"):
                columns[config["column"]] = {"method": config["method"], "threshold": config["threshold"], "score": metric["value"]}
            elif config["type"].endswith("DriftedColumnsCount"):
                count, share = metric["value"]["count"], metric["value"]["share"]
        for test in data["tests"]:
            params = test["metric_config"]["params"]
            if params["type"].endswith("ValueDrift"):
                columns[params["column"]]["drifted"] = test["status"] == "FAIL"
        out.append({"columns": columns, "driftedColumns": count, "share": share, "seconds": times})
print(json.dumps(out))
`;

export interface PeerKsResult {
  statistic: number;
  pValue: number;
  /** Wall time of each ks_2samp call inside Python. */
  seconds: number[];
}

export interface PeerDriftCase {
  reference: Record<string, readonly (number | string)[]>;
  current: Record<string, readonly (number | string)[]>;
  numerical: string[];
  categorical: string[];
  driftShare?: number;
  /** One method for every column (Evidently's name: "psi", "ks", ...); default: Evidently's selection. */
  method?: string;
}

export interface PeerDriftResult {
  columns: Record<string, { method: string; threshold: number; score: number; drifted: boolean }>;
  driftedColumns: number;
  share: number;
  /** Wall time of each Report.run inside Python. */
  seconds: number[];
}

function runPython<T>(request: object, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = execFile(venvPython(), ['-c', SCRIPT], { timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`reference python failed: ${error.message}\n${stderr.slice(-2000)}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout) as T);
      } catch {
        reject(new Error(`reference python printed no JSON: ${stdout.slice(0, 500)}\n${stderr.slice(-2000)}`));
      }
    });
    child.stdin?.end(JSON.stringify(request));
  });
}

/** scipy.stats.ks_2samp on each pair. */
export function scipyKs(cases: { a: readonly number[]; b: readonly number[] }[], runs = 1, timeoutMs = 300_000): Promise<PeerKsResult[]> {
  return runPython({ mode: 'ks', cases, runs }, timeoutMs);
}

/** Evidently's DataDriftPreset on each case (explicit column types, default methods and thresholds). */
export function evidentlyDrift(cases: PeerDriftCase[], runs = 1, timeoutMs = 600_000): Promise<PeerDriftResult[]> {
  return runPython({ mode: 'evidently', cases, runs }, timeoutMs);
}

/** A probe for the tool gate: the venv python imports scipy and evidently. */
export async function probeReferencePeers(): Promise<{ available: boolean; reason?: string; hint?: string; detail?: string }> {
  try {
    const versions = await runPython<{ scipy: string; evidently: string }>({ mode: 'versions' }, 60_000);
    return { available: true, detail: `scipy ${versions.scipy}, evidently ${versions.evidently}` };
  } catch (error) {
    return {
      available: false,
      reason: `${venvPython()} cannot import scipy and evidently (${(error as Error).message.split('\n')[0]})`,
      hint: 'run `npm run setup:tools` (creates .venv from labs/requirements-tools.txt)',
    };
  }
}
