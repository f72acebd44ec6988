// A model API that misbehaves on POST /predict in one of several ways (the first argument):
// hang, redirect-away, flood, html, garbage-json. /health answers 200 so the service counts as started.
import { createServer } from 'node:http';

const mode = process.argv[2] ?? 'hang';
const chunk = Buffer.alloc(1024 * 1024, 'x');

createServer((req, res) => {
  req.resume();
  if (req.url === '/health' || req.url === '/ready') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  if (mode === 'hang') return; // never answers
  if (mode === 'redirect-away') {
    res.writeHead(307, { location: 'http://198.51.100.7/predict' }).end();
    return;
  }
  if (mode === 'flood') {
    res.writeHead(200, { 'content-type': 'application/json' });
    let sent = 0;
    const pump = () => {
      while (sent < 50 && res.write(chunk)) sent++;
      if (sent < 50 && !res.destroyed) res.once('drain', pump);
      else res.end();
    };
    res.on('close', () => (sent = 50));
    pump();
    return;
  }
  if (mode === 'html') {
    res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body><h1>It works!</h1></body></html>');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"predictions": [{"probability": "high", "class": "yes"}]}');
}).listen(Number(process.env.PORT), '127.0.0.1');
