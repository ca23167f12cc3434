// The AWS SDK for JavaScript's SigV4 signer, as an independent check of ours.
// Takes one request as JSON in its first argument:
//   {method, hostname, path (as sent, percent-encoded), query: {name: decoded value}, headers: {...},
//    region, service, accessKeyId, secretAccessKey, sessionToken?, date (ISO 8601)}
// and prints the Authorization header the SDK computes for it, signed the way S3 wants it
// (path not normalized or encoded again; payload hash from the x-amz-content-sha256 header).
'use strict';
const { SignatureV4 } = require('@smithy/signature-v4');
const { Sha256 } = require('@aws-crypto/sha256-js');

async function main() {
  const request = JSON.parse(process.argv[2]);
  const signer = new SignatureV4({
    service: request.service,
    region: request.region,
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: true,
    credentials: {
      accessKeyId: request.accessKeyId,
      secretAccessKey: request.secretAccessKey,
      sessionToken: request.sessionToken,
    },
  });
  const signed = await signer.sign({
    method: request.method,
    protocol: 'https:',
    hostname: request.hostname,
    path: request.path,
    query: request.query,
    headers: request.headers,
  }, { signingDate: new Date(request.date) });
  process.stdout.write(`${signed.headers.authorization}\n`);
}

main().catch((error) => {
  process.stderr.write(`sign.js: ${error.message}\n`);
  process.exit(1);
});
