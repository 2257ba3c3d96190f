# lit.cfg.py: lit configuration of asgc's IR and command-line tests (test/lit/).
import os
import re
import lit.formats

config.name = "asgc"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.join(config.asg_src_root, "test", "lit")
config.test_exec_root = os.path.join(config.asg_obj_root, "test", "lit")
config.excludes = ["Inputs"]

tools = {
    "asg-opt": os.path.join(config.asg_tools_dir, "asg-opt", "asg-opt"),
    "asgc": os.path.join(config.asg_tools_dir, "asgc", "asgc"),
    "asg-run": os.path.join(config.asg_tools_dir, "asg-run", "asg-run"),
}
# %python: Debian's Python, which has numpy (an unrelated python3 may come first on PATH).
config.substitutions.append(("%python", "/usr/bin/python3"))
# %expect-exit N CMD...: CMD must exit with status N exactly (not a crash, not 3).
config.substitutions.append(("%expect-exit", "sh " + os.path.join(
    config.test_source_root, "Import", "Inputs", "expect-exit.sh")))
# A tool name is replaced only as a whole word: not inside a path or a longer
# name (a checkout folder called "asgc" must stay as it is).
for name, path in tools.items():
    config.substitutions.append((r"(?<![\w./-])%s(?![\w./-])" % re.escape(name), path))
config.environment["PATH"] = os.pathsep.join(
    [config.llvm_tools_dir, os.environ.get("PATH", "")])
