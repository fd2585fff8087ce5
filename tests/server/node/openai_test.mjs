// The official OpenAI client (npm "openai") against kmlm serve. Usage:
//   node openai_test.mjs BASE_URL API_KEY MODEL_ID
// Prints "ok <case>" per case; exits non-zero at the first failure.
import OpenAI from 'openai';
import assert from 'node:assert/strict';

const [baseURL, apiKey, modelId] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 120000 });
const root = baseURL.replace(/\/v1\/?$/, '');
const user = (content) => [{ role: 'user', content }];

async function chat(content, extra = {}) {
  return client.chat.completions.create({ model: modelId, messages: user(content), max_tokens: 16, temperature: 0, ...extra });
}

async function streamedText(stream) {
  let text = '', finish = null, role = null, usage = null;
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) continue;
    role ??= choice.delta?.role ?? null;
    text += choice.delta?.content ?? choice.text ?? '';
    finish = choice.finish_reason ?? finish;
  }
  return { text, finish, role, usage };
}

async function health() {
  return (await fetch(`${root}/health`)).json();
}

const cases = {
  async modelList() {
    const list = await client.models.list();
    assert.deepEqual(list.data.map((m) => m.id), [modelId]);
  },

  async chat() {
    const r = await chat('안녕하세요, 자기소개 해 줘.', { max_tokens: 12 });
    assert.equal(r.object, 'chat.completion');
    assert.equal(r.choices[0].message.role, 'assistant');
    assert.equal(typeof r.choices[0].message.content, 'string');
    assert.ok(['stop', 'length'].includes(r.choices[0].finish_reason));
    assert.ok(r.usage.prompt_tokens > 0 && r.usage.completion_tokens > 0);
    assert.equal(r.usage.total_tokens, r.usage.prompt_tokens + r.usage.completion_tokens);
  },

  async streamedChat() {
    const stream = await chat('오늘 날씨 어때?', { stream: true, stream_options: { include_usage: true } });
    const s = await streamedText(stream);
    assert.equal(s.role, 'assistant');
    assert.ok(['stop', 'length'].includes(s.finish));
    assert.ok(s.usage && s.usage.completion_tokens > 0);
  },

  async sameTextStreamedAndNot() {
    for (const prompt of ['한국어로 짧게 답해 줘.', '서울에서 부산까지 얼마나 걸려?']) {
      const plain = await chat(prompt, { max_tokens: 32, seed: 1 });
      const s = await streamedText(await chat(prompt, { max_tokens: 32, seed: 1, stream: true }));
      assert.equal(s.text, plain.choices[0].message.content);
      assert.equal(s.finish, plain.choices[0].finish_reason);
    }
  },

  async abortMidStream() {
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: modelId, messages: user('끝없이 이야기해 줘'), max_tokens: 1 << 20, stream: true, ignore_eos: true },
      { signal: controller.signal });
    let chunks = 0;
    try {
      for await (const chunk of stream) if (++chunks === 3) controller.abort();
    } catch (e) {
      // Depending on where the abort lands, the stream ends or throws the abort.
      if (!(e instanceof OpenAI.APIUserAbortError) && e.name !== 'AbortError') throw e;
    }
    assert.ok(chunks >= 3); // chunks already received may still come out after the abort
    // The generation stops: nothing is left running (it would run for a million tokens).
    for (let i = 0; i < 600 && (await health()).running !== 0; ++i) await new Promise((r) => setTimeout(r, 100));
    assert.equal((await health()).running, 0);
  },

  async malformedJson() {
    const res = await fetch(`${baseURL}/chat/completions`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${apiKey}` },
      body: '{"model": "x", "messages": [',
    });
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.equal(body.error.code, 'invalid_json');
    assert.equal(typeof body.error.message, 'string');
    // A bad field through the client: an APIError with the server's status and code.
    await assert.rejects(chat('x', { temperature: 5 }), (e) => e instanceof OpenAI.BadRequestError && e.code === 'invalid_value');
  },

  async wrongKey() {
    const other = new OpenAI({ baseURL, apiKey: 'wrong', maxRetries: 0 });
    await assert.rejects(other.models.list(), (e) => e instanceof OpenAI.AuthenticationError && e.status === 401);
  },

  async sixConcurrentChats() {
    const prompts = ['하나', '둘', '셋', '넷', '다섯', '여섯'];
    const answers = await Promise.all(prompts.map((p, i) =>
      i % 2 ? chat(p) : chat(p, { stream: true }).then(streamedText)));
    for (const a of answers) {
      if (a.choices) assert.ok(a.usage.completion_tokens > 0 && typeof a.choices[0].message.content === 'string');
      else assert.ok(['stop', 'length'].includes(a.finish));
    }
  },

  async legacyCompletions() {
    const r = await client.completions.create({ model: modelId, prompt: '옛날 옛적에', max_tokens: 12, temperature: 0 });
    assert.equal(r.object, 'text_completion');
    assert.equal(typeof r.choices[0].text, 'string');
    assert.ok(['stop', 'length'].includes(r.choices[0].finish_reason));
    assert.ok(r.usage.prompt_tokens > 0);
    const s = await streamedText(await client.completions.create(
      { model: modelId, prompt: '옛날 옛적에', max_tokens: 12, temperature: 0, stream: true }));
    assert.equal(s.text, r.choices[0].text);
  },
};

for (const [name, run] of Object.entries(cases)) {
  try {
    await run();
    console.log(`ok ${name}`);
  } catch (e) {
    console.log(`FAIL ${name}: ${e.stack ?? e}`);
    process.exit(1);
  }
}
