// Prints the suite's closing line, `vitest: N passed, N failed, N skipped`, from the JSON report.
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const skipped = report.numPendingTests + (report.numTodoTests ?? 0);
// A suite that failed outside its tests (a beforeAll hook, an unhandled error) counts as one failure
// too, so the line never says 0 failed for a red run.
const brokenSuites = report.testResults.filter((suite) => suite.status === 'failed' && !suite.assertionResults.some((t) => t.status === 'failed')).length;
const failed = report.numFailedTests + brokenSuites + (report.success === false && report.numFailedTests + brokenSuites === 0 ? 1 : 0);
process.stdout.write(`vitest: ${report.numPassedTests} passed, ${failed} failed, ${skipped} skipped\n`);
