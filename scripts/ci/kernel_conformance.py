"""jupyter_kernel_test (Debian python3-jupyter-kernel-test) against this project's kernel.

Run by scripts/ci/jupyter-checks.sh with the kernelspec registered under RNNWB_KERNEL_NAME and
the project root as the working directory (so `import ... from "rnn-workbook"` resolves).
Every test must pass: a skipped test counts as a failure here.
"""
import os
import sys
import unittest

import jupyter_kernel_test as jkt


class RnnWorkbookKernelTests(jkt.KernelTests):
    kernel_name = os.environ.get("RNNWB_KERNEL_NAME", "rnn-workbook")
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world");'
    code_stderr = 'console.error("oops");'
    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": "[1, 2].map((x) => x * 2)", "result": "[ 2, 4 ]"},
        {"code": "'a' + 'b'", "result": "ab"},
    ]
    code_history_pattern = "6 ?*"
    supported_history_operations = ("tail", "range", "search")
    code_display_data = [
        {"code": 'import * as tslab from "tslab";\ntslab.display.html("<b>hi</b>");', "mime": "text/html"},
        {"code": 'import * as rnn from "rnn-workbook";\nrnn.show({ "text/plain": "x", "text/markdown": "*x*" });',
         "mime": "text/markdown"},
    ]
    code_generate_error = 'throw new RangeError("expected failure");'
    code_clear_output = 'import * as rnn from "rnn-workbook";\nconsole.log("gone");\nrnn.clearOutput();'
    code_inspect_sample = "Math.max"
    completion_samples = [{"text": "Math.ma", "matches": ["max"]}]
    complete_code_samples = ["1 + 1", "const x = 1;"]
    incomplete_code_samples = ["function f() {", "const a = [1,"]


# The only optional test left out, and why: the kernel has no pager (no `?`/help magic that would
# send a "page" payload), as tslab never had one.
ALLOWED_SKIPS = {"test_pager"}


class Result(unittest.TextTestResult):
    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        if test._testMethodName not in ALLOWED_SKIPS:
            self.failures.append((test, f"skipped ({reason}): every conformance test must run"))


if __name__ == "__main__":
    runner = unittest.TextTestRunner(verbosity=2, resultclass=Result)
    result = runner.run(unittest.defaultTestLoader.loadTestsFromTestCase(RnnWorkbookKernelTests))
    sys.exit(0 if result.wasSuccessful() else 1)
