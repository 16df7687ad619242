#!/usr/bin/env node
// The `hssk` command. HSSK runs on the Node 24 that `npm install` brings (the `node` npm
// package); npm scripts and `npx hssk` put it first on PATH.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  console.error(
    `HSSK cần Node.js 24 trở lên (đang chạy ${process.version}). ` +
      'Hãy chạy qua npm (`npm start`, `npx hssk …`), để dùng Node 24 mà `npm install` đã cài.\n' +
      `HSSK needs Node.js 24 or later (this is ${process.version}); run it through npm or npx.`,
  );
  process.exit(1);
}
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
