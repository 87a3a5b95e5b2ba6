// Drives the real vestige-mcp binary with the official MCP TypeScript SDK as
// the client, over stdio: initialize, list tools, ingest, recall, review, and
// checks what comes back. Usage: node mcp_sdk_client.mjs <path to vestige-mcp>
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let sdk;
try {
  sdk = {
    ...(await import('@modelcontextprotocol/sdk/client/index.js')),
    ...(await import('@modelcontextprotocol/sdk/client/stdio.js')),
  };
} catch (e) {
  console.error('cannot load @modelcontextprotocol/sdk: run `npm ci` at the repository root ' +
                '(scripts/test.sh does) — ' + e.message);
  process.exit(1);
}

const server = process.argv[2];
if (!server) {
  console.error('usage: node mcp_sdk_client.mjs <path to vestige-mcp>');
  process.exit(2);
}

const dataDir = mkdtempSync(join(tmpdir(), 'vestige-interop-'));
const stderrLines = [];
// A fresh data dir with no config file: the embedded defaults.
const env = { ...process.env };
delete env.VESTIGE_CONFIG;
delete env.VESTIGE_DATA_DIR;
const transport = new sdk.StdioClientTransport({
  command: server,
  args: ['--data-dir', dataDir],
  env,
  stderr: 'pipe',
});
transport.stderr?.on('data', (chunk) => stderrLines.push(chunk.toString()));
const client = new sdk.Client({ name: 'vestige-interop-test', version: '1.0.0' });

// Calls a tool and returns its structured result, failing on a tool error.
async function call(name, args) {
  const result = await client.callTool({ name, arguments: args });
  assert.ok(!result.isError, `${name} failed: ${JSON.stringify(result.content)}`);
  assert.ok(Array.isArray(result.content) && result.content[0]?.type === 'text',
            `${name} returned no text block`);
  assert.equal(typeof result.structuredContent, 'object', `${name} returned no structuredContent`);
  return result.structuredContent;
}

let failed = false;
try {
  await client.connect(transport);

  const version = client.getServerVersion();
  assert.equal(version?.name, 'vestige', 'server name');
  assert.ok(client.getServerCapabilities()?.tools, 'tools capability');
  assert.ok(client.getServerCapabilities()?.resources, 'resources capability');
  assert.ok((client.getInstructions() ?? '').length > 0, 'instructions');

  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name);
  for (const expected of ['smart_ingest', 'recall', 'search', 'memory', 'graph', 'maintain',
                        'memory_status', 'stats', 'intention', 'codebase', 'session_start']) {
    assert.ok(names.includes(expected), `tools/list lacks ${expected}: ${names.join(', ')}`);
  }
  for (const tool of tools) {
    assert.equal(tool.inputSchema?.type, 'object', `${tool.name} input schema`);
  }

  const first = await call('smart_ingest', {
    content: 'The deploy script for the billing service lives in tools/deploy-billing.sh',
    tags: ['deploy'],
    context: { codebase: 'billing' },
  });
  const firstResult = first.results ? first.results[0] : first;
  assert.equal(firstResult.decision, 'create');
  const id = firstResult.id;
  assert.match(id, /^[0-9a-f-]{36}$/);

  const repeat = await call('smart_ingest', {
    content: 'The deploy script for the billing service lives in tools/deploy-billing.sh',
    tags: ['deploy'],
    context: { codebase: 'billing' },
  });
  const repeatResult = repeat.results ? repeat.results[0] : repeat;
  assert.equal(repeatResult.decision, 'reinforce', 'the same text again reinforces');
  assert.equal(repeatResult.id, id);

  await call('smart_ingest', { content: 'The user prefers tabs over spaces in Makefiles' });

  const recalled = await call('recall', { query: 'where is the billing deploy script?', limit: 5 });
  assert.ok(JSON.stringify(recalled).includes(id), `recall did not return ${id}: ` +
            JSON.stringify(recalled));

  const reviewed = await call('memory', { action: 'review', id, rating: 3 });
  assert.equal(reviewed.memory_id, id);
  assert.equal(reviewed.rating, 3);
  assert.ok(reviewed.stability > 0, 'review returns the new stability');
  assert.ok(reviewed.review_event_id !== undefined, 'review appends a review event');

  const bad = await client.callTool({ name: 'memory', arguments: { action: 'review', id,
                                                                    rating: 'good' } });
  assert.equal(bad.isError, true, 'a wrong argument type is a tool error');

  const status = await call('memory_status', {});
  assert.ok(JSON.stringify(status).includes('builtin/hash-384'), 'status names the model');

  const { resources } = await client.listResources();
  assert.ok(resources.some((r) => r.uri === 'memory://stats'), 'memory://stats listed');
  const stats = await client.readResource({ uri: 'memory://stats' });
  assert.ok(stats.contents?.[0]?.text?.length > 0, 'memory://stats has content');

  const start = await call('session_start', {});
  assert.ok(JSON.stringify(start).includes(id), 'session_start loads the recent memory');

  const intention = await call('intention', {
    action: 'set', content: 'Remind me to rotate the billing deploy key', keywords: ['billing'],
  });
  const quiet = await call('intention', { action: 'check', text: 'writing the changelog' });
  assert.ok(!JSON.stringify(quiet).includes('rotate the billing deploy key'),
            'it does not fire for unrelated work');
  const fired = await call('intention', { action: 'check', text: 'editing the billing service' });
  assert.ok(JSON.stringify(fired).includes('rotate the billing deploy key'),
            'a keyword intention fires for matching work: ' + JSON.stringify(fired));

  await client.ping();
  console.log('MCP SDK interop: all checks passed');
} catch (e) {
  failed = true;
  console.error(e);
  console.error('vestige-mcp stderr:\n' + stderrLines.join(''));
} finally {
  await client.close().catch(() => {});
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
