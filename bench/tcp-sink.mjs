// A TCP listener that reads and discards everything: the far end of the socket audit device in
// the benchmark, in its own process so it does not slow the load generator down.
import { createServer } from 'node:net';

let bytes = 0;
const server = createServer((s) => {
  s.on('data', (c) => { bytes += c.length; });
  s.on('error', () => {});
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`Api Address: tcp://127.0.0.1:${server.address().port}\n`));
process.on('SIGTERM', () => { process.stderr.write(`tcp-sink received ${bytes} bytes\n`); process.exit(0); });
