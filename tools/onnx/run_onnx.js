#!/usr/bin/env node
// run_onnx.js — runs an ONNX file in ONNX Runtime (the npm package onnxruntime-node, CPU) on inputs given as raw
// little-endian files, and writes the first output the same way. The ONNX export test uses it to compare ONNX
// Runtime's logits with the engine's; it also shows how to run an exported model from JavaScript.
//   node tools/onnx/run_onnx.js MODEL.onnx INPUT.bin DTYPE DIMS OUTPUT.bin
//     DTYPE: float32 or int64;  DIMS: comma-separated, e.g. 16,1,28,28
// Prints one JSON line: {"output": name, "dims": [...], "providers": ..., "metadata": ...}. Exit 1 on any error.
'use strict';
const fs = require('fs');
const path = require('path');

async function main() {
    const [model, inputFile, dtype, dimsText, outputFile] = process.argv.slice(2);
    if (!outputFile) throw new Error('usage: run_onnx.js MODEL.onnx INPUT.bin float32|int64 DIMS OUTPUT.bin');
    let ort;
    try {
        ort = require(path.join(__dirname, 'node_modules', 'onnxruntime-node'));
    } catch (e) {
        throw new Error('onnxruntime-node is not installed in tools/onnx/node_modules: run tools/onnx/setup.sh (' + e.message + ')');
    }
    const dims = dimsText.split(',').map(Number);
    const raw = fs.readFileSync(inputFile);
    const bytes = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength);
    let data;
    if (dtype === 'float32') data = new Float32Array(bytes);
    else if (dtype === 'int64') data = new BigInt64Array(bytes);
    else throw new Error('unknown dtype ' + dtype + '; use float32 or int64');
    const session = await ort.InferenceSession.create(model, { executionProviders: ['cpu'], graphOptimizationLevel: 'all' });
    const feeds = {};
    feeds[session.inputNames[0]] = new ort.Tensor(dtype, data, dims);
    const results = await session.run(feeds);
    const name = session.outputNames[0];
    const out = results[name];
    fs.writeFileSync(outputFile, Buffer.from(out.data.buffer, out.data.byteOffset, out.data.byteLength));
    console.log(JSON.stringify({ output: name, dims: out.dims, type: out.type, input: session.inputNames[0] }));
}

main().catch((e) => {
    console.error('run_onnx.js: ' + (e && e.message ? e.message : e));
    process.exit(1);
});
