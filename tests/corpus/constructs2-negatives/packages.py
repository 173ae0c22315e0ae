"""Package names in installs, dependency lists and dynamic imports."""
import importlib
import subprocess
import sys

tokens = importlib.import_module("llama-3-tokenizer")
subprocess.check_call([sys.executable, "-m", "pip", "install", "claude-3-haiku-client"])
SETUP = {"install_requires": ["gemini-2.0-flash-wrapper>=1.0", "deepseek-v3-sdk"]}
DEFAULT_MODEL = "my-model"
MODEL_NAME = "model-name"
