// Baseline: the cheapest possible JSON-over-HTTP endpoint on node:http, measured in the same run.
import { createServer } from 'node:http';

const body = JSON.stringify({ request_id: '00000000-0000-0000-0000-000000000000', data: { data: { password: 'bench-value' } } });
const server = createServer((req, res) => {
  let size = 0;
  req.on('data', (c) => { size += c.length; });
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`Api Address: http://127.0.0.1:${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
