// `npm run bench` (issue 8). The service logs one INFO line per request and per workflow; at
// thousands of operations that buries the table, so the bench runs at WARN unless told
// otherwise (POWERTOOLS_LOG_LEVEL=INFO npm run bench counts the logging too). The loggers read
// the level when their modules load, hence the dynamic import.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
const args = process.argv.slice(2);
if (args.includes('--help')) {
  const { USAGE } = await import('./settings.ts');
  console.log(USAGE);
} else {
  const { runBench } = await import('./bench.ts');
  await runBench(args);
}
