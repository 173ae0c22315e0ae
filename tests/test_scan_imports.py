"""What a scan imports: never the cost package or its optional dependencies."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

_CODE = """
import sys
for name in ("modeldeps.cost", "genai_prices", "huggingface_hub"):
    sys.modules[name] = None  # as if the optional extras were not installed
from modeldeps.cli import main
code = main(sys.argv[1:])
cost = ("modeldeps.cost", "genai_prices")
loaded = sorted(m for m, mod in sys.modules.items() if mod and m.startswith(cost))
print("LOADED", loaded, file=sys.stderr)
sys.exit(code)
"""


def test_scan_with_usage_needs_no_cost_extra(tmp_path: Path) -> None:
    root = tmp_path / "p"
    root.mkdir()
    for i, (pub, model) in enumerate([("Qwen", "Qwen2.5-7B"), ("Qwen", "Qwen2.5-1.5B")]):
        (root / f"m{i}.sh").write_text(f"vllm serve {pub}/{model}\n")
    (root / "serve.sh").write_text("vllm serve meta-llama/Llama-3.1-8B-Instruct\n")
    usage = tmp_path / "usage.toml"
    usage.write_text(
        '[[models]]\nmodel = "Qwen/Qwen2.5-7B"\nmonthly_input_tokens = 900\n'
        "monthly_output_tokens = 100\n"
    )
    args = ["scan", str(root), "--usage", str(usage), "--no-cache", "-q", "-f", "json"]
    done = subprocess.run(
        [sys.executable, "-c", _CODE, *args, "--fail-on", "none"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-800:]
    assert "LOADED []" in done.stderr
    assert '"MD104"' in done.stdout  # usage weighed the shares: all of it is Qwen's (CN)


_WITHOUT = """
import sys
sys.modules[sys.argv[1]] = None  # the optional extra is not installed
from modeldeps.cli import main
sys.exit(main(sys.argv[2:]))
"""


def _without(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _WITHOUT, module, *args], capture_output=True, text=True, check=False
    )


def test_features_of_a_missing_extra_exit_2_naming_it(tmp_path: Path) -> None:
    usage = Path(__file__).resolve().parents[1] / "examples" / "usage.toml"
    done = _without("genai_prices", "cost", "--usage", str(usage))
    assert done.returncode == 2 and "modeldeps[cost]" in done.stderr, done.stderr[-500:]
    done = _without("huggingface_hub", "scan", str(tmp_path), "--online", "-q")
    assert done.returncode == 2 and "modeldeps[online]" in done.stderr, done.stderr[-500:]
    done = _without("huggingface_hub", "inspect", "--hf-cache-dir", str(tmp_path), "-q")
    assert done.returncode == 2 and "modeldeps[online]" in done.stderr, done.stderr[-500:]
    # Without the extra, everything else works.
    assert _without("genai_prices", "scan", str(tmp_path), "-q").returncode == 0
