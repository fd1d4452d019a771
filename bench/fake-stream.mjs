// Paced SSE fake upstream for bench/run (onthebench's stream definition, peers.md §2.6):
// a role chunk, then FRAMES content deltas every PACE_MS (the first one at once), then the terminator.
//   POST /v1/chat/completions  -> OpenAI chat.completion.chunk stream, then `data: [DONE]`
//   POST /v1/messages          -> Anthropic message_start ... content_block_delta x FRAMES ... message_stop
// Every delta's text is "tok<i> " so a client can count frames after any translation.
// Non-stream requests get a canned body too (the zero-delay bodies are nginx's job; this is a fallback).
// Usage: node fake-stream.mjs PORT [FRAMES=64] [PACE_MS=20]
import http from 'node:http';

const port = Number(process.argv[2] || 18091);
const FRAMES = Number(process.argv[3] || process.env.FRAMES || 64);
const PACE = Number(process.argv[4] || process.env.PACE_MS || 20);
const created = 1741569952;

const oaiChunk = (delta, finish) => 'data: ' + JSON.stringify({
  id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT', object: 'chat.completion.chunk', created,
  model: 'gpt-4.1-mini-2025-04-14', service_tier: 'default', system_fingerprint: 'fp_6f2eabb9a5',
  choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
}) + '\n\n';
const oaiUsage = 'data: ' + JSON.stringify({
  id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT', object: 'chat.completion.chunk', created,
  model: 'gpt-4.1-mini-2025-04-14', choices: [],
  usage: { prompt_tokens: 19, completion_tokens: FRAMES, total_tokens: 19 + FRAMES },
}) + '\n\n';
const ev = (name, obj) => `event: ${name}\ndata: ${JSON.stringify(obj)}\n\n`;

const openai = {
  head: oaiChunk({ role: 'assistant', content: '', refusal: null }, null),
  delta: (i) => oaiChunk({ content: `tok${i} ` }, null),
  tail: oaiChunk({}, 'stop') + oaiUsage + 'data: [DONE]\n\n',
};
const anthropic = {
  head: ev('message_start', { type: 'message_start', message: {
    id: 'msg_01XFDUDYJgAACzvnptvVoYEL', type: 'message', role: 'assistant', model: 'claude-sonnet-4-20250514',
    content: [], stop_reason: null, stop_sequence: null,
    usage: { input_tokens: 19, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 } } })
    + ev('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
  delta: (i) => ev('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: `tok${i} ` } }),
  tail: ev('content_block_stop', { type: 'content_block_stop', index: 0 })
    + ev('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: FRAMES } })
    + ev('message_stop', { type: 'message_stop' }),
};

const oaiBody = JSON.stringify({ id: 'chatcmpl-x', object: 'chat.completion', created, model: 'gpt-4.1-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } });
const antBody = JSON.stringify({ id: 'msg_x', type: 'message', role: 'assistant', model: 'claude-sonnet-4', content: [{ type: 'text', text: 'ok' }],
  stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } });

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const url = req.url.split('?')[0];
    const shape = url.endsWith('/messages') ? anthropic : url.endsWith('/chat/completions') ? openai : null;
    if (req.method !== 'POST' || !shape) { res.writeHead(404, { 'content-type': 'application/json' }); res.end('{"error":"not found"}'); return; }
    const body = Buffer.concat(chunks).toString();
    if (!/"stream"\s*:\s*true/.test(body)) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(shape === openai ? oaiBody : antBody);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.flushHeaders();
    res.write(shape.head);
    let i = 0;
    let timer = null;
    const step = () => {
      if (res.destroyed) { clearInterval(timer); return; }
      res.write(shape.delta(i));
      i += 1;
      if (i >= FRAMES) { clearInterval(timer); res.end(shape.tail); }
    };
    step();
    if (i < FRAMES) timer = setInterval(step, PACE);
    res.on('close', () => clearInterval(timer));
  });
});
server.keepAliveTimeout = 120000;
server.headersTimeout = 130000;
server.maxRequestsPerSocket = 0;
server.listen(port, '127.0.0.1', () => process.stdout.write(`fake-stream listening on 127.0.0.1:${port} (${FRAMES} x ${PACE} ms)\n`));
