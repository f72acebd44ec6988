// A TypeScript learner's service that labels a metric with every applicant id:
// /metrics grows without bound (here: 50 MB).
import { createServer } from 'node:http';

const LINE = (i) => `loan_applicant_seen{applicant_id="a-${String(i).padStart(9, '0')}"} 1\n`;

createServer((req, res) => {
  if (req.url === '/health') return res.end('{"status":"ok"}');
  if (req.url === '/metrics') {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.write('# TYPE loan_applicant_seen gauge\n');
    let i = 0;
    const pump = () => {
      while (i < 1_000_000) {
        if (!res.write(LINE(i++))) return res.once('drain', pump);
      }
      res.end();
    };
    res.on('close', () => (i = Infinity));
    return pump();
  }
  res.writeHead(404).end();
}).listen(Number(process.env.PORT), '127.0.0.1');
