import { useEffect, useState } from 'react';
import { apiGet, apiSend, type ApiError } from '../../lib/api.ts';

interface Settings {
  path?: string;
}

export interface PathChooserProps {
  paths: { id: string; title: string }[];
}

/** Saves the learner's entry path on the lab server (the roadmap and plan follow it). */
export default function PathChooser({ paths }: PathChooserProps) {
  const [chosen, setChosen] = useState<string | undefined>();
  const [saved, setSaved] = useState<string | undefined>();
  const [status, setStatus] = useState('');
  const [problem, setProblem] = useState<ApiError | undefined>();

  useEffect(() => {
    apiGet<Settings>('/api/settings')
      .then((s) => {
        setChosen(s.path);
        setSaved(s.path);
      })
      .catch((error: ApiError) => setProblem(error));
  }, []);

  const save = async (event: React.FormEvent) => {
    event.preventDefault();
    if (!chosen) return;
    setProblem(undefined);
    try {
      const s = await apiSend<Settings>('/api/settings', 'PUT', { path: chosen });
      setSaved(s.path);
      setStatus(`Saved: ${paths.find((p) => p.id === s.path)?.title ?? s.path}. The roadmap now follows this path.`);
    } catch (error) {
      setProblem(error as ApiError);
    }
  };

  return (
    <form className="path-chooser" onSubmit={(e) => void save(e)}>
      <fieldset>
        <legend>Where are you coming from?</legend>
        <div className="path-cards">
          {paths.map((p) => (
            <div key={p.id} className="path-card" data-chosen={saved === p.id ? 'true' : 'false'}>
              <label>
                <input type="radio" name="path" value={p.id} checked={chosen === p.id} onChange={() => setChosen(p.id)} /> {p.title}
              </label>
              {saved === p.id && <span className="badge">your path</span>}
              <a href={`#${p.id}`} aria-label={`Details of the path ${p.title}`}>
                details
              </a>
            </div>
          ))}
        </div>
      </fieldset>
      <p>
        <button type="submit" disabled={!chosen || chosen === saved}>
          Save my path
        </button>
      </p>
      <p role="status" aria-live="polite">
        {status}
      </p>
      {problem && (
        <p role="alert">
          {problem.message} {problem.nextStep}
        </p>
      )}
    </form>
  );
}
