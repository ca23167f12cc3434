// s3rver on loopback for the C++ tests, plus the one fault it cannot make by itself: answering
// 503 SlowDown on demand, as S3 does under load.
//
// Usage: node s3_server.js DIRECTORY PORT BUCKET   (PORT 0 picks a free one)
// Prints "listening PORT" once it accepts requests, then reads commands on stdin, one per line:
//   fail N   the next N requests get 503 SlowDown; answers "ok"
// Exits when stdin closes, so a test that dies takes its server with it.
'use strict';
const readline = require('readline');
const S3rver = require('s3rver');

const [directory, port, bucket] = process.argv.slice(2);
let failures = 0;

const server = new S3rver({
  address: '127.0.0.1',
  port: Number(port),
  directory,
  silent: true,
  vhostBuckets: false,
  configureBuckets: [{ name: bucket }],
});

// Koa composes its middleware when the server starts listening, so this runs before s3rver's routes.
server.middleware.unshift(async (ctx, next) => {
  if (failures > 0) {
    failures -= 1;
    ctx.status = 503;
    ctx.type = 'application/xml';
    ctx.body = '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>';
    return;
  }
  await next();
});

server.run().then(
  (address) => process.stdout.write(`listening ${address.port}\n`),
  (error) => {
    process.stderr.write(`s3_server: ${error.message}\n`);
    process.exit(1);
  });

readline.createInterface({ input: process.stdin })
  .on('line', (line) => {
    const [command, argument] = line.trim().split(/\s+/);
    if (command === 'fail') {
      failures = Number(argument);
      process.stdout.write('ok\n');
    } else {
      process.stdout.write(`unknown command: ${line}\n`);
    }
  })
  .on('close', () => process.exit(0));
