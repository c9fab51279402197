// Drives `genbench serve` with the official OpenAI client library (npm `openai`, v4), as a user's program would, and
// prints what it saw as one JSON line on stdout for OpenAiNodeClientTest to check. Run by node with NODE_PATH set to
// the node_modules folder holding `openai` (scripts/tools.sh installs it into .tools/npm).
//   node serve-client.cjs BASE_URL API_KEY [images] [llm]
// images: images.generate with b64_json, and serve's errors as the client's typed errors
// llm:    a completion and a streamed chat completion (needs serve's LLM endpoints)
'use strict';
const OpenAI = require('openai');

const [baseURL, apiKey, ...parts] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 60_000 });

function describeError(e) {
  return {
    class: e.constructor.name,
    bad_request: e instanceof OpenAI.BadRequestError,
    authentication: e instanceof OpenAI.AuthenticationError,
    api_error: e instanceof OpenAI.APIError,
    status: e.status ?? null,
    param: e.param ?? null,
    code: e.code ?? null,
    type: e.type ?? null,
    message: e.message,
  };
}

async function expectError(call) {
  try {
    await call();
    return { class: null };
  } catch (e) {
    return describeError(e);
  }
}

/** Width and height from a PNG's IHDR chunk, and whether the 8-byte signature is PNG's. */
function png(b64) {
  const bytes = Buffer.from(b64, 'base64');
  return {
    bytes: bytes.length,
    png_signature: bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
    width: bytes.readUInt32BE(16),
    height: bytes.readUInt32BE(20),
  };
}

async function main() {
  const out = {};
  const models = await client.models.list();
  out.models = models.data.map((m) => m.id);
  const model = out.models[0];

  if (parts.includes('images')) {
    // steps and seed are genbench's documented extensions; the client passes unknown fields through
    const res = await client.images.generate({
      model, prompt: 'a red fox in the snow', n: 2, size: '64x64', response_format: 'b64_json', steps: 1, seed: 7,
    });
    out.images = res.data.map((d) => png(d.b64_json));
    out.image_metrics = res.metrics ?? null;
    out.bad_size = await expectError(() => client.images.generate({ model, prompt: 'a red fox', size: '65x64', response_format: 'b64_json' }));
    out.bad_n = await expectError(() => client.images.generate({ model, prompt: 'a red fox', n: 1000, response_format: 'b64_json' }));
    const stranger = new OpenAI({ baseURL, apiKey: apiKey + '-wrong', maxRetries: 0, timeout: 60_000 });
    out.wrong_key = await expectError(() => stranger.models.list());
  }

  if (parts.includes('llm')) {
    const c = await client.completions.create({ model, prompt: 'The capital of France is', max_tokens: 4 });
    out.completion = { text: c.choices[0].text, finish_reason: c.choices[0].finish_reason, usage: c.usage ?? null };
    const stream = await client.chat.completions.create({
      model, messages: [{ role: 'user', content: 'Say hello.' }], max_tokens: 4, stream: true,
    });
    const chunks = [];
    let finish = null;
    for await (const chunk of stream) {
      chunks.push(chunk.choices[0]?.delta?.content ?? '');
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    out.chat_stream = { chunks: chunks.length, content_chunks: chunks.filter((c) => c.length > 0).length, text: chunks.join(''), finish_reason: finish };
    out.bad_max_tokens = await expectError(() => client.completions.create({ model, prompt: 'Hi', max_tokens: -1 }));
  }

  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
  console.error('serve-client.cjs failed:', e);
  process.exit(1);
});
