/**
 * The lab page's in-browser terminal: an xterm.js 6 terminal attached to the
 * lab server's terminal gateway (protocol in ./connection.ts).
 *
 * Used with `client:only="react"`: xterm.js measures fonts and builds its
 * renderer on real DOM nodes (and a WebGL canvas), so there is nothing useful
 * to render on the server, and importing it there would touch `window`.
 *
 * - Output is only ever written to xterm (it renders it); server messages are
 *   React text. Nothing goes through innerHTML.
 * - Renderer: WebGL when the browser has it; otherwise, or when the WebGL
 *   context is lost, xterm's DOM renderer. `?terminal-renderer=dom` forces the
 *   DOM renderer. The renderer in use is in `data-renderer` on the pane.
 * - Links: http(s) URLs are clickable and open in a new tab (noopener).
 * - Copy/paste: select with the mouse (xterm). Ctrl+Shift+C copies the
 *   selection (Chromium would otherwise open DevTools), Ctrl+Shift+V pastes
 *   (the browser's own paste, which xterm receives as a paste event, with
 *   bracketed paste when the shell asks). On macOS Cmd+C / Cmd+V work as
 *   usual. Ctrl+C without Shift is the shell's interrupt.
 * - Keyboard: reaching the terminal with Tab does not capture Tab: the next
 *   Tab moves on through the page, until the learner engages the terminal by
 *   typing in it, clicking it or pressing "Focus terminal". Once engaged, Tab
 *   goes to the shell (completion). Esc pressed twice quickly leaves the
 *   terminal (focus moves to the "Focus terminal" button) and disengages it;
 *   so does any blur. The first Esc still reaches the shell, so vi and
 *   friends keep working.
 */
import { useEffect, useRef, useState } from 'react';
import { Terminal as XTerm } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { WebglAddon } from '@xterm/addon-webgl';
import '@xterm/xterm/css/xterm.css';
import { Text } from '../CheckPanel/Text.tsx';
import { TerminalConnection, type TerminalStatus } from './connection.ts';

export interface TerminalProps {
  labId: string;
}

type Renderer = 'webgl' | 'dom';

/** Two Escapes within this many ms leave the terminal. */
const DOUBLE_ESCAPE_MS = 600;

function openLink(event: MouseEvent, uri: string): void {
  event.preventDefault();
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return;
  window.open(url.href, '_blank', 'noopener,noreferrer');
}

export default function Terminal({ labId }: TerminalProps) {
  const host = useRef<HTMLDivElement>(null);
  const focusButton = useRef<HTMLButtonElement>(null);
  const term = useRef<XTerm | undefined>(undefined);
  const connection = useRef<TerminalConnection | undefined>(undefined);
  const [status, setStatus] = useState<TerminalStatus>({ kind: 'connecting' });
  const [renderer, setRenderer] = useState<Renderer | undefined>();
  const [copied, setCopied] = useState<string | undefined>();
  /** Whether Tab goes to the shell (see the file comment). */
  const engaged = useRef(false);

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const xterm = new XTerm({
      cursorBlink: true,
      fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace',
      fontSize: 14,
      scrollback: 5000,
      convertEol: false,
      allowProposedApi: false,
      theme: { background: '#111318', foreground: '#e6e6e6', cursor: '#e6e6e6', selectionBackground: '#3e5a86' },
    });
    term.current = xterm;
    const fit = new FitAddon();
    xterm.loadAddon(fit);
    xterm.loadAddon(new WebLinksAddon(openLink));
    xterm.open(element);

    // WebGL when it works; the DOM renderer (built in) otherwise.
    const forceDom = new URLSearchParams(window.location.search).get('terminal-renderer') === 'dom';
    let webgl: WebglAddon | undefined;
    if (!forceDom) {
      try {
        webgl = new WebglAddon();
        webgl.onContextLoss(() => {
          webgl?.dispose();
          webgl = undefined;
          setRenderer('dom');
        });
        xterm.loadAddon(webgl);
        setRenderer('webgl');
      } catch {
        webgl?.dispose();
        webgl = undefined;
        setRenderer('dom');
      }
    } else {
      setRenderer('dom');
    }

    // Not engaged: Tab and Shift+Tab move focus like anywhere else on the page (no keyboard trap).
    engaged.current = false;
    const engage = (): void => {
      engaged.current = true;
    };
    const disengage = (): void => {
      engaged.current = false;
    };
    element.addEventListener('mousedown', engage);
    xterm.textarea?.addEventListener('blur', disengage);

    let lastEscape = 0;
    xterm.attachCustomKeyEventHandler((event) => {
      if (!engaged.current && event.key === 'Tab') return false; // xterm leaves it alone; the browser moves focus
      if (event.type !== 'keydown') return true;
      if (!engaged.current && !['Shift', 'Control', 'Alt', 'Meta'].includes(event.key)) engaged.current = true;
      const key = event.key.toLowerCase();
      if (event.ctrlKey && event.shiftKey && !event.altKey && !event.metaKey && key === 'c') {
        event.preventDefault();
        const text = xterm.getSelection();
        if (text) {
          navigator.clipboard?.writeText(text).then(
            () => setCopied('Copied.'),
            () => setCopied('Copy failed: the browser refused clipboard access. Use the right-click menu.'),
          );
        }
        return false;
      }
      // Let the browser paste (a `paste` event xterm handles), not a ^V to the shell.
      if (event.ctrlKey && event.shiftKey && !event.altKey && !event.metaKey && key === 'v') return false;
      if (event.key === 'Escape' && !event.ctrlKey && !event.altKey && !event.metaKey && !event.shiftKey) {
        const now = performance.now();
        if (now - lastEscape < DOUBLE_ESCAPE_MS) {
          lastEscape = 0;
          event.preventDefault();
          engaged.current = false;
          xterm.blur();
          focusButton.current?.focus();
          return false;
        }
        lastEscape = now;
      }
      return true;
    });

    const conn = new TerminalConnection(
      labId,
      {
        write: (bytes, done) => xterm.write(bytes, done),
        reset: () => xterm.reset(),
        size: () => ({ cols: xterm.cols, rows: xterm.rows }),
      },
      setStatus,
    );
    connection.current = conn;
    const onData = xterm.onData((data) => conn.input(data));
    const onBinary = xterm.onBinary((data) => conn.input(data));
    const onResize = xterm.onResize(({ cols, rows }) => conn.resize(cols, rows));

    // Refit when the pane changes size (window resize, sidebar, font load); xterm's onResize sends it on.
    let frame = 0;
    const refit = (): void => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        if (element.clientWidth > 0 && element.clientHeight > 0) fit.fit();
      });
    };
    const observer = new ResizeObserver(refit);
    observer.observe(element);
    fit.fit();
    conn.connect();

    return () => {
      element.removeEventListener('mousedown', engage);
      xterm.textarea?.removeEventListener('blur', disengage);
      observer.disconnect();
      cancelAnimationFrame(frame);
      onData.dispose();
      onBinary.dispose();
      onResize.dispose();
      conn.dispose();
      connection.current = undefined;
      webgl?.dispose();
      xterm.dispose();
      term.current = undefined;
    };
  }, [labId]);

  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(undefined), 2000);
    return () => clearTimeout(timer);
  }, [copied]);

  const focus = (): void => {
    engaged.current = true;
    term.current?.focus();
  };

  return (
    <div className="terminal not-content" data-state={status.kind}>
      <div className="terminal-bar">
        <p className="terminal-status" role="status" aria-live="polite" data-state={status.kind}>
          <StatusText status={status} onRestart={() => connection.current?.restart()} onRetry={() => connection.current?.connect()} />
          {copied && <span className="terminal-note"> {copied}</span>}
        </p>
        <button type="button" ref={focusButton} className="terminal-focus" onClick={focus}>
          Focus terminal
        </button>
      </div>
      <div ref={host} className="terminal-screen" data-renderer={renderer} role="group" aria-label="Lab terminal" onClick={focus} />
      <p className="terminal-hint">
        Once you type or click in the terminal, <kbd>Tab</kbd> goes to the shell; press <kbd>Esc</kbd> twice to leave it. Copy:{' '}
        <kbd>Ctrl</kbd>+<kbd>Shift</kbd>+<kbd>C</kbd>, paste: <kbd>Ctrl</kbd>+<kbd>Shift</kbd>+<kbd>V</kbd>.
      </p>
    </div>
  );
}

function StatusText({ status, onRestart, onRetry }: { status: TerminalStatus; onRestart: () => void; onRetry: () => void }) {
  switch (status.kind) {
    case 'connecting':
      return <>Connecting…</>;
    case 'connected':
      return <>Connected{status.latencyMs !== undefined && <span className="terminal-latency"> · {status.latencyMs} ms</span>}</>;
    case 'reconnecting':
      return (
        <>
          {status.reason && <span className="terminal-reason">{status.reason} </span>}
          Reconnecting in {status.seconds}s… (attempt {status.attempt}){' '}
          <button type="button" className="terminal-action" onClick={onRetry}>
            Reconnect now
          </button>
        </>
      );
    case 'exited':
      return (
        <>
          Session ended (exit {status.code}) —{' '}
          <button type="button" className="terminal-action" onClick={onRestart}>
            Restart
          </button>
        </>
      );
    case 'not-started':
      return (
        <>
          <strong>Start the lab first.</strong> Press “Start the lab” in the panel below; the terminal connects as soon as your workspace
          exists.
        </>
      );
    case 'error':
      return (
        <>
          <strong>
            <Text value={status.message} />
          </strong>
          {status.nextStep && (
            <>
              {' '}
              Next: <Text value={status.nextStep} />
            </>
          )}{' '}
          <button type="button" className="terminal-action" onClick={onRetry}>
            Try again
          </button>
        </>
      );
  }
}
