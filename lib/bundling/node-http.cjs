// What the Lambda bundles get for `node:http`: the module as `require` gives it. An ESM import of
// node:http builds a namespace of its exports, reading its lazy WebSocket, CloseEvent and
// MessageEvent getters, which load undici: a large part of a cold start for nothing.
// lib/lambda-bundling.ts aliases node:http to this file.
module.exports = process.getBuiltinModule('node:http');
