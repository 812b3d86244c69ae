// One measurement of llama.cpp's runtime-dispatched CPU backends, through node-llama-cpp's
// prebuilt linux-x64 binaries (GGML_BACKEND_DL with every CPU variant). The driver,
// benchmarks/bench_cpu_variants.py, leaves only the variant under test in the binaries'
// folder, so ggml loads that one. Reads {model_path, prompt, threads, batch, max_tokens,
// node_modules} as JSON on stdin; prints one JSON line: prompt and decode tokens/s and the
// build report of the CPU backend that was loaded.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import path from "node:path";

const job = JSON.parse(readFileSync(0, "utf8"));
const require = createRequire(path.join(job.node_modules, "noop.js"));
const { getLlama } = await import(require.resolve("node-llama-cpp"));

const llama = await getLlama({ gpu: false, build: "never", logLevel: "error" });
const model = await llama.loadModel({ modelPath: job.model_path });
const context = await model.createContext({
  contextSize: 4096, batchSize: job.batch, threads: { ideal: job.threads, min: job.threads },
});
const sequence = context.getSequence();
const tokens = model.tokenize(job.prompt);
let started = performance.now();
await sequence.evaluateWithoutGeneratingNewTokens(tokens.slice(0, -1));
const promptMs = performance.now() - started;
let generated = 0;
started = performance.now();
let firstMs = null;
for await (const _token of sequence.evaluate(tokens.slice(-1), { temperature: 0 })) {
  if (firstMs === null) firstMs = performance.now() - started;
  generated += 1;
  if (generated >= job.max_tokens) break;
}
const decodeMs = performance.now() - started - firstMs;
console.log(JSON.stringify({
  prompt_tokens: tokens.length - 1,
  prompt_tok_s: (1000 * (tokens.length - 1)) / promptMs,
  generated_tokens: generated,
  decode_tok_s: (1000 * (generated - 1)) / decodeMs,
  system_info: llama.systemInfo,
}));
await context.dispose();
await model.dispose();
await llama.dispose();
