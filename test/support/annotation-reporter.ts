import type { Reporter, TestCase } from 'vitest/node';

/**
 * Prints each test's annotations (`annotate(…)`: the fuzz test's counts, the figures a robustness
 * test measured) under the default reporter's output, so `npm test` shows them whether or not
 * the test failed.
 */
export default class AnnotationReporter implements Reporter {
  onTestCaseAnnotate(testCase: TestCase, annotation: { message: string }): void {
    process.stdout.write(`  ↳ ${testCase.fullName}: ${annotation.message}\n`);
  }
}
